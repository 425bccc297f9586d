/// A list of index lists stored flat (compressed sparse rows), so reading one costs no reference counting.
struct IndexLists: Sendable {
    private var elements: [Int32] = []
    private var starts: [Int] = [0]

    /// Creates the lists from nested arrays.
    ///
    /// - Complexity: O(*n*) in the total number of elements.
    init(_ lists: [[Int32]]) {
        for list in lists {
            elements += list
            starts.append(elements.count)
        }
    }

    /// The number of lists.
    var count: Int { starts.count - 1 }

    /// The number of elements of list `list`.
    @inline(__always)
    func count(of list: Int) -> Int {
        starts[list + 1] - starts[list]
    }

    /// Element `position` of list `list`.
    @inline(__always)
    func element(_ position: Int, of list: Int) -> Int32 {
        elements[starts[list] + position]
    }

    /// A uniformly chosen element of list `list`, which must not be empty.
    @inline(__always)
    func randomElement(of list: Int, _ random: inout RandomSource) -> Int32 {
        element(random.below(count(of: list)), of: list)
    }

    /// Whether every element of list `list` satisfies `predicate`.
    ///
    /// - Complexity: O(*n*) in the length of the list.
    @inline(__always)
    func allSatisfy(in list: Int, _ predicate: (Int32) -> Bool) -> Bool {
        for position in starts[list]..<starts[list + 1] where !predicate(elements[position]) { return false }
        return true
    }
}
