import LecternCore

extension InteractionKind {
    /// The kind's position in `allCases`, which indexes the generator's table of kind names.
    var code: Int {
        switch self {
        case .view: 0
        case .wishlist: 1
        case .enroll: 2
        case .purchase: 3
        case .complete: 4
        case .rate: 5
        case .refund: 6
        case .dismiss: 7
        }
    }
}
