/// The figures an evaluation reports at each cutoff K; the raw value is the name printed.
///
/// Accuracy metrics compare each learner's top K with their relevant held-out courses
/// (`RankingMetrics` defines each); the others describe the lists themselves.
public enum Metric: String, Sendable, CaseIterable, Hashable {
    /// implicit's precision: all hits over the sum of min(K, |relevant|), pooled over learners.
    case precision
    /// Textbook precision: mean over learners of hits / K.
    case precisionOverK = "precision_over_k"
    /// Mean over learners of hits / |relevant|.
    case recall
    /// Mean NDCG with binary gains and a log2 discount (as implicit).
    case ndcg
    /// Mean average precision, each normalised by min(K, |relevant|) (as implicit).
    case map
    /// Mean reciprocal rank of the first relevant course in the top K (0 when none).
    case mrr
    /// The share of learners whose top K holds at least one relevant course.
    case hitRate = "hit_rate"
    /// implicit's AUC limited to the top K.
    case auc
    /// Distinct courses recommended to anyone / catalog size.
    case coverage
    /// Mean self-information of recommended courses, -log2(share of training learners who touched it).
    case novelty
    /// Mean share of pairs in a list whose courses are in different domains.
    case domainDiversity = "diversity_domain"
    /// Mean pairwise Jaccard distance of tag sets within a list.
    case tagDiversity = "diversity_tags"
    /// Gini coefficient of recommendations per creator, creators never recommended included.
    case creatorGini = "gini_creator"

    /// The name printed in reports.
    public var name: String { rawValue }
}
