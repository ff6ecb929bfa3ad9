#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the generator needs, over libc (no Foundation).
enum FileSystem {
    static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw GeneratorError("cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        if ferror(file) != 0 { throw GeneratorError("cannot read \(path)") }
        return bytes
    }

    static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "wb") else { throw GeneratorError("cannot write \(path)") }
        defer { fclose(file) }
        let utf8 = Array(text.utf8)
        guard fwrite(utf8, 1, utf8.count, file) == utf8.count else { throw GeneratorError("cannot write \(path)") }
    }

    /// Writes `outputs` (file name to text) into `directory`, rewriting only
    /// files whose text changed and deleting other `.swift` files there.
    static func replaceSwiftFiles(in directory: String, with outputs: [String: String]) throws {
        mkdir(directory, 0o755)
        for name in try swiftFiles(in: directory) where outputs[name] == nil {
            unlink(directory + "/" + name)
        }
        for (name, text) in outputs.sorted(by: { $0.key < $1.key }) {
            let path = directory + "/" + name
            if let existing = try? read(path), existing == Array(text.utf8) { continue }
            try write(text, to: path)
        }
    }

    static func swiftFiles(in directory: String) throws -> [String] {
        guard let handle = opendir(directory) else { throw GeneratorError("cannot list \(directory)") }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasSuffix(".swift") { names.append(name) }
        }
        return names
    }

    static func printError(_ message: String) {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
