import CGRPC

/// Reads PEM files for credentials (certificates, keys, trust roots).
enum PEMFile {
    static func read(_ path: String) throws -> String {
        guard let file = fopen(path, "rb") else {
            throw RuntimeError("cannot read PEM file \(path)")
        }
        defer { fclose(file) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
        }
        guard ferror(file) == 0, !bytes.isEmpty else { throw RuntimeError("cannot read PEM file \(path)") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
