/// The contracts compiled into immigctl, read from the serialized
/// FileDescriptorProtos that `ContractDescriptors` embeds: every service, method,
/// message and enum by full name, for `list` and `describe` and for resolving
/// the short method names `call` accepts.
///
/// Built once per process from immutable data.
struct ContractCatalog: Sendable {
    let files: [ProtoFileModel]
    let symbols: [String: ProtoSymbol]

    init(files: [ProtoFileModel]) {
        self.files = files
        var symbols: [String: ProtoSymbol] = [:]
        func add(_ message: MessageModel, in file: ProtoFileModel) {
            symbols[message.fullName] = .message(message, file: file.name)
            for nested in message.nestedMessages { add(nested, in: file) }
            for nested in message.nestedEnums { symbols[nested.fullName] = .enumeration(nested, file: file.name) }
        }
        for file in files {
            for message in file.messages { add(message, in: file) }
            for enumeration in file.enums { symbols[enumeration.fullName] = .enumeration(enumeration, file: file.name) }
            for service in file.services {
                symbols[service.fullName] = .service(service, file: file.name)
                for method in service.methods {
                    symbols[service.fullName + "." + method.name] = .method(method, service: service, file: file.name)
                }
            }
        }
        self.symbols = symbols
    }

    var services: [ServiceModel] {
        files.flatMap(\.services).sorted { $0.fullName < $1.fullName }
    }

    /// A symbol by full name; also `package.Service/Method` and a leading dot.
    func symbol(_ name: String) -> ProtoSymbol? {
        var name = name.hasPrefix(".") ? String(name.dropFirst()) : name
        if name.hasPrefix("/") { name.removeFirst() }
        name = name.replacingSlashWithDot()
        return symbols[name]
    }

    /// Services named by full name, by their last name component (`Health`), or
    /// by a suite service name (`records`: every service of `immigration.records.*`).
    func services(matching name: String) -> [ServiceModel] {
        if let exact = services.first(where: { $0.fullName == name }) { return [exact] }
        let byShortName = services.filter { $0.name.lowercased() == name.lowercased() }
        if !byShortName.isEmpty { return byShortName }
        return services.filter { $0.package.hasPrefix("immigration.\(name).") }
    }

    /// The method that `package.Service/Method`, `/package.Service/Method`,
    /// `package.Service.Method`, or with a unique service, `Service/Method` names.
    func method(_ text: String) throws(CommandFailure) -> (service: ServiceModel, method: MethodModel) {
        if case .method(let method, let service, _)? = symbol(text) { return (service, method) }
        var name = text.hasPrefix("/") ? String(text.dropFirst()) : text
        name = name.replacingSlashWithDot()
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 2 {
            let candidates = services.filter { $0.name == parts[0] }
                .compactMap { service in service.methods.first { $0.name == parts[1] }.map { (service, $0) } }
            if candidates.count == 1 { return candidates[0] }
            if candidates.count > 1 {
                let paths = candidates.map { "\($0.0.fullName)/\($0.1.name)" }.joined(separator: ", ")
                throw CommandFailure("method \"\(text)\" is ambiguous: \(paths)")
            }
        }
        throw CommandFailure("unknown method \"\(text)\" (immigctl list shows every service; "
                             + "immigctl list <service> its methods)")
    }
}

/// Anything `describe` can show.
enum ProtoSymbol: Sendable {
    case message(MessageModel, file: String)
    case enumeration(EnumModel, file: String)
    case service(ServiceModel, file: String)
    case method(MethodModel, service: ServiceModel, file: String)
}

extension String {
    /// `a.B/C` → `a.B.C`.
    func replacingSlashWithDot() -> String {
        String(map { $0 == "/" ? "." : $0 })
    }
}
