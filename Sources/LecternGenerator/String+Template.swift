extension String {
    /// The string with each `{name}` placeholder replaced by its value in `values`; unknown ones stay as they are.
    ///
    /// - Complexity: O(*n*) in the length of the result.
    func filled(_ values: KeyValuePairs<String, String>) -> String {
        let bytes = Array(utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 64)
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "{"), let close = bytes[position...].firstIndex(of: UInt8(ascii: "}")) {
                let name = bytes[(position + 1)..<close]
                if let value = values.first(where: { $0.key.utf8.elementsEqual(name) })?.value {
                    result += value.utf8
                    position = close + 1
                    continue
                }
            }
            result.append(byte)
            position += 1
        }
        return String(decoding: result, as: UTF8.self)
    }
}
