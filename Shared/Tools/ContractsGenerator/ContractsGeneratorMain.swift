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
enum ContractsGeneratorMain {
    static func main() {
        do {
            let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
            let bytes = try FileSystem.read(options.descriptorSetPath)
            let files = try DescriptorSetReader.read(bytes)
            let registry = try TypeRegistry(files: files)
            var outputs: [String: String] = [:]
            for file in files {
                if let text = try MessageFileRenderer(file: file, registry: registry).render() {
                    outputs[Naming.outputBaseName(file.name) + ".pb.swift"] = text
                }
                if !file.services.isEmpty {
                    outputs[Naming.outputBaseName(file.name) + ".grpc.swift"] =
                        try ServiceFileRenderer(file: file, registry: registry).render()
                }
            }
            outputs["ContractDescriptors+Generated.swift"] = DescriptorsRenderer(files: files, registry: registry).render()
            try FileSystem.replaceSwiftFiles(in: options.outputPath, with: outputs)
        } catch {
            FileSystem.printError("contracts-generator: \(error)")
            exit(1)
        }
    }
}

/// Command-line options: `--descriptor-set FILE --output DIR`.
struct Options {
    var descriptorSetPath: String
    var outputPath: String

    init(arguments: [String]) throws {
        var descriptorSet: String?
        var output: String?
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--descriptor-set": descriptorSet = remaining.popFirst()
            case "--output": output = remaining.popFirst()
            default: throw GeneratorError("unknown argument \(argument); usage: contracts-generator --descriptor-set FILE --output DIR")
            }
        }
        guard let descriptorSet, let output else {
            throw GeneratorError("usage: contracts-generator --descriptor-set FILE --output DIR")
        }
        self.descriptorSetPath = descriptorSet
        self.outputPath = output
    }
}

/// A failure that stops generation, with a message for the person running it.
struct GeneratorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
