extension KeywordExtractor {
    /// Words that are never a keyword nor part of one, for every language the catalog's courses are
    /// written in (`courses.language`: English, German, Spanish and Chinese), kept here as data.
    ///
    /// A course does not say its language to the extractor, so every course is read against all the
    /// lists together: a German article is no English subject word, and the few words two languages
    /// share (`in`, `an`) are function words in both. A word is checked as written and without its
    /// plural ending. These come on top of `ContentModel.stopWords`, which the tokenizer removes.
    public static let stopWords: Set<String> = stopWordsByLanguage.values.reduce(into: []) { $0.formUnion($1) }

    /// Function words, and the words course copy in that language uses for every subject alike
    /// (`einführung`, `desde cero`, `入门`), by ISO 639-1 code. Chinese entries are character
    /// bigrams, as the tokenizer reads Chinese; a bigram with a character of `chineseStopCharacters`
    /// is a stop word too.
    public static let stopWordsByLanguage: [String: Set<String>] = [
        "en": [
            // Function words beyond ContentModel.stopWords.
            "guide", "hand", "step", "way", "part", "new", "make", "also", "like", "just", "over", "through", "each",
            "every", "which", "while", "where", "there", "their", "they", "them", "these", "those", "has", "have", "had",
            "was", "were", "been", "being", "not", "no", "but", "if", "so", "do", "doe", "did", "one", "two", "some",
            "any", "other", "such", "only", "own", "same", "very", "too", "both", "few", "most", "many", "much", "may",
            "might", "must", "should", "would", "could", "he", "she", "his", "her", "me", "my", "us", "after", "before",
            "between", "during", "without", "within", "under", "again", "once", "here", "because", "until", "via",
            "per", "instead", "everything", "anything", "something", "really", "well", "even", "still", "already",
            "want", "need", "by", "off", "along", "beyond", "first", "last", "end", "day", "everyone", "anyone",
            "yourself", "whether", "across", "around", "toward", "upon", "whose", "whom", "let", "lets", "got",
            // Words about courses, not their subject.
            "student", "lesson", "module", "chapter", "week", "hour", "minute", "level", "topic", "skill", "quiz",
            "exercise", "project", "start", "started", "short", "time", "kind", "explain", "explained", "understand",
            "understanding", "happen", "hold", "zero", "prior", "practical", "practise", "practice", "concept",
            "tutorial", "theory", "capstone", "checklist", "template", "review", "manual", "know",
            "experience", "written", "work", "job", "meet", "apply", "applied", "master", "depth", "case", "study",
            "studie", "learned", "field", "pitfall", "trade", "pattern", "scratch", "crash", "dig",
        ],
        "de": [
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "und", "oder",
            "im", "ins", "mit", "für", "von", "vom", "zu", "zum", "zur", "auf", "aus", "bei", "nach", "über", "ohne",
            "ganz", "dein", "deine", "deinen", "dich", "dir", "du", "sie", "ihr", "wir", "uns", "ist", "sind", "wird",
            "werden", "am", "als", "auch", "wie", "was", "es", "er", "noch", "nur", "schon", "sehr", "bis", "durch",
            "um", "nicht", "kein", "keine", "alle", "jede", "jeder",
            "einführung", "einsteiger", "grundlagen", "praxis", "praxiskurs", "projekt", "projekte", "projekten",
            "meistern", "profiwissen", "fortgeschrittene", "lerne", "schritt", "übungen", "kleinen", "einfache",
            "einstieg", "vorkenntnisse", "wende", "echten", "vorlagen", "beispielen", "feedback", "vertiefe",
            "wissen", "praxisnahen", "aufgaben", "profis", "fallstudien", "typische", "fehler", "techniken",
            "anspruchsvoller", "kurs", "erfahrene",
        ],
        "es": [
            "a", "al", "con", "de", "del", "desde", "el", "en", "la", "las", "lo", "los", "para", "por", "que", "un",
            "una", "uno", "y", "o", "tu", "tus", "su", "sus", "cada", "mi", "es", "se", "como", "más", "muy", "sin",
            "sobre", "este", "esta", "entre",
            "introducción", "cero", "fundamentos", "fundamento", "práctica", "proyectos", "proyecto", "reales",
            "curso", "práctico", "avanzado", "domina", "expertos", "experto", "aprende", "ejercicios", "ejercicio",
            "prácticos", "lección", "principiantes", "principiante", "paso", "aplica", "plantillas", "plantilla",
            "ejemplos", "ejemplo", "revisiones", "lleva", "conocimientos", "conocimiento", "siguiente", "nivel",
            "casos", "caso", "errores", "comunes", "técnicas", "exigente", "profesionales",
        ],
        "zh": [
            "课程", "学习", "学员", "练习", "项目", "实战", "实践", "教程", "指南", "专题", "深度", "解析", "从零",
            "零基", "开始", "面向", "通俗", "易懂", "循序", "渐进", "真实", "掌握", "核心", "技能", "适合", "案例",
            "模板", "一应", "俱全", "深入", "讲解", "主题", "包括", "取舍", "经验", "准备", "通过", "一定", "每节",
            // Words (not bigrams) the catalog's n-grams find in every domain's copy.
            "方法", "基本", "问题", "实际", "系统", "介绍", "提高", "理解", "建立", "完成", "结合", "进行", "应用",
        ],
    ]

    /// Chinese function characters: a bigram holding one (`的课`, `学者`) is a stop word.
    public static let chineseStopCharacters: Set<Character> = [
        "的", "了", "和", "与", "及", "是", "在", "有", "为", "从", "每", "都", "一", "者", "之", "其", "这", "那",
        "你", "我", "们", "对", "把", "被", "让", "向", "于", "配",
    ]

    /// Generic words that SeedData's course copy puts on courses of every domain, so that a tag made of
    /// them says nothing about the subject. Read off `tag suggest --all` on SeedData before these rules:
    /// marketing adjectives (`small`, `simple`, `profitable`), the verbs of outcomes (`run`, `build`,
    /// `ship`, `drive`) and the audiences (`developer`, `founder`, `marketer`), none of which editors
    /// use as a tag there. A word that is a tag in the catalog (`design`, `go`, `quality`) stays out.
    /// Unlike a stop word, a generic word does not part a phrase: it is never a keyword alone, nor
    /// the first or last word of one, unless the phrase is a tag in the catalog (`real-estate`).
    public static let genericWords: Set<String> = [
        "small", "simple", "easy", "quick", "fast", "friendly", "plain", "realistic", "ideal", "professional",
        "profitable", "demanding", "final", "missing", "absolute", "essential", "complete", "ultimate", "modern",
        "proven", "best", "top", "better", "effective", "powerful", "successful", "reliable", "confident",
        "confidence", "experienced", "run", "build", "ship", "drive", "present",
        "predict", "grow", "launch", "improve", "create", "write", "analyst", "developer", "founder", "marketer",
        "designer", "clinician", "grower", "farmer", "engineer", "learner", "owner", "manager", "team", "real",
        "language", "code", "performance",
    ]

    /// The stop words of `tag suggest` before issue 13, kept so `TagEvaluation` can measure what the
    /// new rules changed.
    public static let baselineStopWords: Set<String> = [
        "guide", "hand", "step", "way", "part", "new", "make", "also", "like", "just", "over", "through", "each",
        "every", "which", "while", "where", "there", "their", "they", "them", "these", "those", "has", "have", "had",
        "was", "were", "been", "being", "not", "no", "but", "if", "so", "do", "doe", "did", "one", "two", "some",
        "any", "other", "such", "only", "own", "same", "very", "too", "both", "few", "most", "many", "much", "may",
        "might", "must", "should", "would", "could", "he", "she", "his", "her", "me", "my", "us", "after", "before",
        "between", "during", "without", "within", "under", "again", "once", "here", "because", "until", "via",
        "per", "student", "lesson", "module", "chapter", "week", "hour", "minute", "level", "topic", "skill",
        "quiz", "exercise", "project", "instead", "start", "short", "time", "kind", "explain", "understand",
        "understanding", "happen", "hold", "zero", "prior", "practical", "practise", "practice", "concept",
        "everything", "anything", "something", "really", "well", "even", "still", "already", "want", "need",
    ]

    /// Whether `term` (a word as written, or a CJK bigram) is no keyword under `stopWords`.
    static func isStopWord(_ term: String, normalized: String, stopWords: Set<String>, chinese: Bool) -> Bool {
        if stopWords.contains(term) || stopWords.contains(normalized) { return true }
        return chinese && term.contains { chineseStopCharacters.contains($0) }
    }
}
