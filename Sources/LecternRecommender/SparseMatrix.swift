/// A compressed sparse row (CSR) matrix of `Float`: learners x courses, or its transpose.
///
/// Row `r` holds `columnIndices[rowStarts[r]..<rowStarts[r + 1]]` with the matching `values`,
/// columns ascending. This is scipy's `csr_matrix` layout, so the same matrix can be handed to
/// implicit for comparison.
public struct SparseMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    /// `rowCount + 1` offsets into `columnIndices` and `values`.
    public private(set) var rowStarts: [Int]
    public private(set) var columnIndices: [Int32]
    public private(set) var values: [Float]

    /// The number of stored entries.
    public var nonZeroCount: Int { values.count }

    /// A matrix from CSR arrays, checked for shape and ordering.
    public init(rowCount: Int, columnCount: Int, rowStarts: [Int], columnIndices: [Int32], values: [Float]) {
        precondition(rowStarts.count == rowCount + 1 && rowStarts.first == 0 && rowStarts.last == values.count)
        precondition(columnIndices.count == values.count)
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// A matrix from `(row, column, value)` entries in any order; entries at the same place are summed
    /// and zeros (after summing) are dropped.
    /// - Complexity: O(n + rows + columns), two counting passes.
    public init(rowCount: Int, columnCount: Int, entries: [(row: Int32, column: Int32, value: Float)]) {
        var counts = [Int](repeating: 0, count: rowCount + 1)
        for entry in entries {
            precondition(Int(entry.row) < rowCount && Int(entry.column) < columnCount, "entry outside the matrix")
            counts[Int(entry.row) + 1] += 1
        }
        for r in 0..<rowCount { counts[r + 1] += counts[r] }
        var next = counts
        var columns = [Int32](repeating: 0, count: entries.count)
        var values = [Float](repeating: 0, count: entries.count)
        for entry in entries {
            let at = next[Int(entry.row)]
            columns[at] = entry.column
            values[at] = entry.value
            next[Int(entry.row)] += 1
        }
        // Sort each row by column and merge duplicates.
        var outStarts = [Int](repeating: 0, count: rowCount + 1)
        var outColumns: [Int32] = []
        var outValues: [Float] = []
        outColumns.reserveCapacity(entries.count)
        outValues.reserveCapacity(entries.count)
        var scratch: [(Int32, Float)] = []
        for r in 0..<rowCount {
            scratch.removeAll(keepingCapacity: true)
            for i in counts[r]..<counts[r + 1] { scratch.append((columns[i], values[i])) }
            scratch.sort { $0.0 < $1.0 }
            var i = 0
            while i < scratch.count {
                let column = scratch[i].0
                var sum: Float = 0
                while i < scratch.count && scratch[i].0 == column {
                    sum += scratch[i].1
                    i += 1
                }
                if sum != 0 {
                    outColumns.append(column)
                    outValues.append(sum)
                }
            }
            outStarts[r + 1] = outColumns.count
        }
        self.init(rowCount: rowCount, columnCount: columnCount, rowStarts: outStarts, columnIndices: outColumns, values: outValues)
    }

    /// The columns and values of row `row`.
    @inlinable
    public func row(_ row: Int) -> (columns: ArraySlice<Int32>, values: ArraySlice<Float>) {
        let range = rowStarts[row]..<rowStarts[row + 1]
        return (columnIndices[range], values[range])
    }

    /// The number of entries in row `row`.
    @inlinable
    public func rowLength(_ row: Int) -> Int {
        rowStarts[row + 1] - rowStarts[row]
    }

    /// The value at (`row`, `column`), or 0.
    /// - Complexity: O(log of the row's length).
    public func value(row: Int, column: Int) -> Float {
        var low = rowStarts[row], high = rowStarts[row + 1]
        while low < high {
            let mid = (low + high) / 2
            let c = Int(columnIndices[mid])
            if c == column { return values[mid] }
            if c < column { low = mid + 1 } else { high = mid }
        }
        return 0
    }

    /// The transpose, also in CSR (that is, this matrix in CSC).
    /// - Complexity: O(n + rows + columns).
    public func transposed() -> SparseMatrix {
        var starts = [Int](repeating: 0, count: columnCount + 1)
        for c in columnIndices { starts[Int(c) + 1] += 1 }
        for c in 0..<columnCount { starts[c + 1] += starts[c] }
        var next = starts
        var outColumns = [Int32](repeating: 0, count: values.count)
        var outValues = [Float](repeating: 0, count: values.count)
        for r in 0..<rowCount {
            for i in rowStarts[r]..<rowStarts[r + 1] {
                let c = Int(columnIndices[i])
                let at = next[c]
                outColumns[at] = Int32(r)
                outValues[at] = values[i]
                next[c] += 1
            }
        }
        return SparseMatrix(rowCount: columnCount, columnCount: rowCount, rowStarts: starts,
                            columnIndices: outColumns, values: outValues)
    }

    /// The same pattern with each value replaced by `transform(row, column, value)`.
    public func mapValues(_ transform: (Int, Int, Float) -> Float) -> SparseMatrix {
        var copy = self
        for r in 0..<rowCount {
            for i in rowStarts[r]..<rowStarts[r + 1] {
                copy.values[i] = transform(r, Int(columnIndices[i]), values[i])
            }
        }
        return copy
    }
}
