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

    /// What is wrong with one answer; empty when it matches the document.
    func problems(method: String, path: String, status: Int, body: Data) -> [String] {
        guard let template = template(for: path) else { return ["\(path) is not documented"] }
        let paths = document["paths"] as! [String: Any]
        guard let operation = (paths[template] as? [String: Any])?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(template) is not documented"]
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let response = responses[String(status)] as? [String: Any] else {
            return ["\(method) \(template) does not document status \(status)"]
        }
        guard let content = response["content"] as? [String: Any],
              let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] else { return [] }
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return ["\(method) \(path) \(status): the body is not JSON"]
        }
        return check(value, against: schema, at: "\(method) \(path) \(status): body")
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String else { return schema }
        let name = String(ref.split(separator: "/").last!)
        let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        return components[name] as? [String: Any] ?? [:]
    }

    func check(_ value: Any, against raw: [String: Any], at location: String) -> [String] {
        let schema = resolve(raw)
        if let parts = schema["allOf"] as? [[String: Any]] {
            return parts.flatMap { check(value, against: $0, at: location) }
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
