import CDescriptor
import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The generator's entry point: reads a FileDescriptorSet written by
/// `protoc --include_imports --include_source_info --descriptor_set_out` and
/// writes one Swift file per .proto (plus one per file with services and the
/// embedded descriptors) into the output folder, removing stale ones.
///
/// With `--only`, it writes just the named files, into a module of their own
/// that imports the one holding the rest (`--import Contracts`) and uses the
/// C module named by `--c-module`: how the test-only protos of Tests/Protos
/// become the TestContracts module without entering the shipped contracts.
enum ContractsGeneratorMain {
    static func main() {
        do {
            let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
            let bytes = try FileSystem.read(options.descriptorSetPath)
            let files = try DescriptorSetReader.read(bytes)
            let registry = try TypeRegistry(files: files)
            let imports = ([options.cModule, "CProtobufC", "GRPCRuntime", "ProtobufC"] + options.imports).sorted()
            let rendered = options.only.isEmpty ? files : try options.only.map { name in
                guard let file = files.first(where: { $0.name == name }) else {
                    throw GeneratorError("--only \(name): not in the descriptor set")
                }
                return file
            }
            var outputs: [String: String] = [:]
            for file in rendered {
                if let text = try MessageFileRenderer(file: file, registry: registry, imports: imports).render() {
                    outputs[Naming.outputBaseName(file.name) + ".pb.swift"] = text
                }
                if !file.services.isEmpty {
                    outputs[Naming.outputBaseName(file.name) + ".grpc.swift"] =
                        try ServiceFileRenderer(file: file, registry: registry).render()
                }
            }
            // The embedded descriptors describe the shipped contracts only.
            if options.only.isEmpty {
                outputs["ContractDescriptors+Generated.swift"] = DescriptorsRenderer(files: files, registry: registry).render()
            }
            try FileSystem.replaceSwiftFiles(in: options.outputPath, with: outputs)
        } catch {
            FileSystem.printError("contracts-generator: \(error)")
            exit(1)
        }
    }
}

/// Command-line options: `--descriptor-set FILE --output DIR`, and for a
/// module of some files only, `--only FILE.proto`... `--import MODULE`...
/// `--c-module NAME` (default `CContracts`).
struct Options {
    static let usage = "usage: contracts-generator --descriptor-set FILE --output DIR "
        + "[--only FILE.proto]... [--import MODULE]... [--c-module NAME]"

    var descriptorSetPath: String
    var outputPath: String
    /// The .proto files to write; empty for all of them.
    var only: [String] = []
    /// Swift modules the output imports besides the C module and the runtime.
    var imports: [String] = []
    /// The protoc-c output the generated code converts to and from.
    var cModule = "CContracts"

    init(arguments: [String]) throws {
        var descriptorSet: String?
        var output: String?
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw GeneratorError("\(argument) needs a value; \(Self.usage)") }
            switch argument {
            case "--descriptor-set": descriptorSet = value
            case "--output": output = value
            case "--only": only.append(value)
            case "--import": imports.append(value)
            case "--c-module": cModule = value
            default: throw GeneratorError("unknown argument \(argument); \(Self.usage)")
            }
        }
        guard let descriptorSet, let output else { throw GeneratorError(Self.usage) }
        self.descriptorSetPath = descriptorSet
        self.outputPath = output
    }
}

/// A failure that stops generation, with a message for the person running it.
struct GeneratorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
