/// Naming rules: Swift names follow swift-protobuf's conventions
/// (`Immigration_Common_V1_PersonName`, lowerCamelCase fields, enum cases
/// without the enum's prefix); C names reproduce protoc-c's (c_helpers.cc).
enum Naming {
    // MARK: Swift

    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "as", "Any", "false", "is", "nil", "super", "throws", "true",
        "try", "await", "async", "some", "any", "consume", "borrowing", "consuming", "copy", "discard",
    ]

    /// Names that clash with members every generated message has.
    static let reservedMemberNames: Set<String> = [
        "unknownFields", "serializedBytes", "protobufCBytes", "fill", "with", "self", "Type", "Protocol",
        "init", "hashValue", "protoMessageName", "protobufCDescriptor", "initializeProtobufC",
    ]

    static let acronyms: Set<String> = ["id", "url", "uri", "http", "https", "json", "rpc", "tls", "mrz", "icao"]

    /// `identifier` usable in Swift source, backticked when it is a keyword.
    static func escaped(_ identifier: String) -> String {
        swiftKeywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// snake_case to lowerCamelCase, with known acronyms upper-cased after the first word.
    static func lowerCamel(_ name: String) -> String {
        let parts = name.split(separator: "_", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first else { return name }
        var result = first.allSatisfy({ $0.isUppercase || $0.isNumber }) ? first.lowercased() : lowerFirst(first)
        for part in parts.dropFirst() {
            result += acronyms.contains(part.lowercased()) ? part.uppercased() : upperFirst(part.allSatisfy({ $0.isUppercase || $0.isNumber }) ? part.lowercased() : part)
        }
        return result
    }

    /// snake_case to UpperCamelCase.
    static func upperCamel(_ name: String) -> String {
        upperFirst(lowerCamel(name))
    }

    static func upperFirst(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    static func lowerFirst(_ text: String) -> String {
        text.prefix(1).lowercased() + text.dropFirst()
    }

    /// A field's Swift property name.
    static func propertyName(_ protoName: String) -> String {
        let name = lowerCamel(protoName)
        return reservedMemberNames.contains(name) ? name + "_p" : name
    }

    /// `immigration.common.v1` to `Immigration_Common_V1_`.
    static func swiftPrefix(package: String) -> String {
        guard !package.isEmpty else { return "" }
        return package.split(separator: ".").map { piece in
            piece.split(separator: "_").map { upperFirst(String($0)) }.joined()
        }.joined(separator: "_") + "_"
    }

    /// A nested type's name, renamed when it would clash with Swift's own members.
    static func nestedTypeName(_ name: String) -> String {
        ["Type", "Protocol", "Self"].contains(name) ? name + "Message" : name
    }

    /// An enum case name: the value name without the enum's UPPER_SNAKE prefix, lowerCamelCase.
    static func enumCaseName(value: String, enumName: String) -> String {
        let prefix = camelToUpperSnake(enumName) + "_"
        var stripped = value
        if value.hasPrefix(prefix), value.count > prefix.count,
           let first = value.dropFirst(prefix.count).first, !first.isNumber {
            stripped = String(value.dropFirst(prefix.count))
        }
        var name = lowerCamel(stripped.lowercased())
        if ["unrecognized", "allCases", "rawValue", "self", "Type", "Protocol", "init"].contains(name) { name += "_" }
        return name
    }

    /// `DocumentKind` to `DOCUMENT_KIND` (as protoc's enum prefix convention writes it).
    static func camelToUpperSnake(_ name: String) -> String {
        var result = ""
        var previousWasLower = false
        for character in name {
            if character.isUppercase && previousWasLower { result += "_" }
            result += character.uppercased()
            previousWasLower = character.isLowercase || character.isNumber
        }
        return result
    }

    /// `immigration/common/v1/common.proto` to `immigration_common_v1_common`.
    static func outputBaseName(_ protoFile: String) -> String {
        var base = protoFile
        if base.hasSuffix(".proto") { base.removeLast(6) }
        return base.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    // MARK: C (protoc-c)

    static let cKeywords: Set<String> = [
        "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char", "class",
        "compl", "const", "const_cast", "continue", "default", "delete", "do", "double", "dynamic_cast", "else",
        "enum", "explicit", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long",
        "mutable", "namespace", "new", "not", "not_eq", "operator", "or", "or_eq", "private", "protected",
        "public", "register", "reinterpret_cast", "return", "short", "signed", "sizeof", "static",
        "static_cast", "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typeid",
        "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
        "xor_eq",
    ]

    /// protoc-c's ToCamel: drops underscores, upper-cases the letter after each.
    static func cToCamel(_ name: String) -> String {
        var result = ""
        var nextIsUpper = true
        for character in name {
            if character == "_" {
                nextIsUpper = true
            } else if nextIsUpper {
                result += character.uppercased()
                nextIsUpper = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// protoc-c's CamelToLower: `HealthCheckRequest` to `health_check_request`.
    static func cCamelToLower(_ name: String) -> String {
        var result = ""
        var wasUpper = true
        for character in name {
            let isUpper = character.isASCII && character.isUppercase
            if isUpper {
                if !wasUpper { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
            wasUpper = isUpper
        }
        return result
    }

    /// protoc-c's FullNameToC: `grpc.health.v1.HealthCheckRequest` to `Grpc__Health__V1__HealthCheckRequest`.
    static func cTypeName(_ fullName: String) -> String {
        fullName.split(separator: ".").map { cToCamel(String($0)) }.joined(separator: "__")
    }

    /// protoc-c's FullNameToLower: the prefix of a message's C functions.
    static func cFunctionPrefix(_ fullName: String) -> String {
        fullName.split(separator: ".").map { cCamelToLower(String($0)) }.joined(separator: "__")
    }

    /// protoc-c's FieldName: the struct member, as Swift source.
    static func cMember(_ fieldName: String) -> String {
        escaped(cFieldName(fieldName))
    }

    /// The member holding a repeated field's element count.
    static func cCountMember(_ fieldName: String) -> String {
        "n_" + cFieldName(fieldName)
    }

    static func cFieldName(_ fieldName: String) -> String {
        var name = fieldName.lowercased()
        if cKeywords.contains(name) { name += "_" }
        return name
    }
}
