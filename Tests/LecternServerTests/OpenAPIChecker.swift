import Foundation

/// Checks real answers against the committed OpenAPI document: the operation exists, the status is
/// one it documents, and a JSON body has every required field with the documented type, all the
/// way down (following `$ref`, `allOf` and `oneOf`).
struct OpenAPIChecker {
    let document: [String: Any]

    init(contentsOf url: URL) throws {
        document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// The committed document, found from this file's path.
    static func committed() throws -> OpenAPIChecker {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try OpenAPIChecker(contentsOf: root.appendingPathComponent("Sources/LecternServer/openapi.json"))
    }

    /// The documented path template matching a concrete path (`/v1/courses/d` matches `/v1/courses/{id}`).
    func template(for path: String) -> String? {
        let concrete = path.split(separator: "?", maxSplits: 1)[0].split(separator: "/", omittingEmptySubsequences: true)
        let paths = (document["paths"] as? [String: Any] ?? [:]).keys.sorted()
        return paths.first { template in
            let parts = template.split(separator: "/", omittingEmptySubsequences: true)
            return parts.count == concrete.count && zip(parts, concrete).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// What is wrong with one answer; empty when it matches the document. A method the document
    /// does not give a documented path must be answered as `components/responses/MethodNotAllowed`,
    /// with `Allow` naming exactly the path's documented methods.
    /// - Parameter headers: the answer's header fields, names in lower case.
    func problems(method: String, path: String, status: Int, body: Data, headers: [String: String] = [:]) -> [String] {
        guard let template = template(for: path) else { return ["\(path) is not documented"] }
        let paths = document["paths"] as! [String: Any]
        let item = paths[template] as? [String: Any] ?? [:]
        guard let operation = item[method.lowercased()] as? [String: Any] else {
            guard status == 405 else { return ["\(method) \(template) is not documented (and answered \(status), not 405)"] }
            let documented = item.keys.map { $0.uppercased() }.sorted()
            let allowed = (headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
            let allow = allowed == documented ? [] : ["\(method) \(path) 405: Allow is \(allowed), the document has \(documented)"]
            return allow + problems(response: "MethodNotAllowed", body: body, headers: headers, at: "\(method) \(path) 405")
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let response = responses[String(status)] as? [String: Any] else {
            return ["\(method) \(template) does not document status \(status)"]
        }
        return problems(of: response, body: body, headers: headers, at: "\(method) \(path) \(status)")
    }

    /// What is wrong with an answer that the shared response `components/responses/<name>` describes.
    func problems(response name: String, body: Data, headers: [String: String], at location: String) -> [String] {
        let shared = (document["components"] as? [String: Any])?["responses"] as? [String: Any] ?? [:]
        guard let response = shared[name] as? [String: Any] else { return ["components/responses/\(name) is not documented"] }
        return problems(of: response, body: body, headers: headers, at: location)
    }

    /// Checks the body against the response's JSON schema, and its required headers (and their enums).
    private func problems(of raw: [String: Any], body: Data, headers: [String: String], at location: String) -> [String] {
        var response = raw
        if let ref = raw["$ref"] as? String {
            let shared = (document["components"] as? [String: Any])?["responses"] as? [String: Any] ?? [:]
            guard let found = shared[String(ref.split(separator: "/").last!)] as? [String: Any] else { return ["\(location): \(ref) is not documented"] }
            response = found
        }
        var problems: [String] = []
        for (name, header) in response["headers"] as? [String: [String: Any]] ?? [:] where header["required"] as? Bool == true {
            guard let value = headers[name.lowercased()] else {
                problems.append("\(location): lacks the header \(name)")
                continue
            }
            if let allowed = (header["schema"] as? [String: Any])?["enum"] as? [String], !allowed.contains(value.lowercased()) {
                problems.append("\(location): \(name) is '\(value)', not one of \(allowed)")
            }
        }
        guard let content = response["content"] as? [String: Any],
              let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] else { return problems }
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return problems + ["\(location): the body is not JSON"]
        }
        return problems + check(value, against: schema, at: "\(location): body")
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String else { return schema }
        let name = String(ref.split(separator: "/").last!)
        let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        return components[name] as? [String: Any] ?? [:]
    }

    /// The property names an object matching `raw` may have (its own and its `allOf` parts'), or nil
    /// when it may have others (`additionalProperties`, or no `properties` at all).
    func documentedProperties(_ raw: [String: Any]) -> Set<String>? {
        let schema = resolve(raw)
        if let parts = schema["allOf"] as? [[String: Any]] {
            var names = Set<String>()
            for part in parts {
                guard let more = documentedProperties(part) else { return nil }
                names.formUnion(more)
            }
            return names
        }
        guard schema["additionalProperties"] == nil || schema["additionalProperties"] as? Bool == false,
              let properties = schema["properties"] as? [String: Any] else { return nil }
        return Set(properties.keys)
    }

    /// Checks `value` against the schema `raw`, following `$ref`, `allOf` and `oneOf`. An object may
    /// hold only documented properties (unless its schema allows others): a field renamed on the
    /// server alone is caught here, one renamed in the document alone by its `required`.
    /// - Parameter strictKeys: false while checking one part of an `allOf` (the whole checks the keys).
    func check(_ value: Any, against raw: [String: Any], at location: String, strictKeys: Bool = true) -> [String] {
        let schema = resolve(raw)
        if let parts = schema["allOf"] as? [[String: Any]] {
            var problems = parts.flatMap { check(value, against: $0, at: location, strictKeys: false) }
            if strictKeys, let object = value as? [String: Any], let names = documentedProperties(schema) {
                problems += object.keys.sorted().filter { !names.contains($0) }.map { "\(location) has '\($0)', which the document does not name" }
            }
            return problems
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            return options.contains { check(value, against: $0, at: location).isEmpty } ? [] : ["\(location) matches none of oneOf"]
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(location) is not an object"] }
            var problems: [String] = []
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(location) lacks required '\(name)'")
            }
            for (name, property) in schema["properties"] as? [String: [String: Any]] ?? [:] {
                if let field = object[name] { problems += check(field, against: property, at: "\(location).\(name)") }
            }
            if strictKeys, let names = documentedProperties(schema) {
                problems += object.keys.sorted().filter { !names.contains($0) }.map { "\(location) has '\($0)', which the document does not name" }
            }
            return problems
        case "array":
            guard let array = value as? [Any] else { return ["\(location) is not an array"] }
            let items = schema["items"] as? [String: Any] ?? [:]
            return array.enumerated().flatMap { check($1, against: items, at: "\(location)[\($0)]") }
        case "string":
            guard let string = value as? String else { return ["\(location) is not a string"] }
            if let allowed = schema["enum"] as? [String], !allowed.contains(string) { return ["\(location) '\(string)' is not in its enum"] }
            return []
        case "integer":
            guard let number = value as? NSNumber, !isBool(number), number.doubleValue == number.doubleValue.rounded() else {
                return ["\(location) is not an integer"]
            }
            return []
        case "number":
            guard let number = value as? NSNumber, !isBool(number) else { return ["\(location) is not a number"] }
            return []
        case "boolean":
            guard let number = value as? NSNumber, isBool(number) else { return ["\(location) is not a boolean"] }
            return []
        default:
            return []
        }
    }

    /// JSONSerialization gives booleans as `__NSCFBoolean` (on Linux too) and numbers as `NSNumber`.
    private func isBool(_ number: NSNumber) -> Bool {
        String(describing: type(of: number)) == "__NSCFBoolean"
    }
}
