import Foundation

/// Reads a file (or standard input) line by line in large chunks, so that a
/// file of millions of rows streams through in constant memory. Lines are
/// bytes without their `\n` (and a trailing `\r` removed); `bytesRead` is
/// how far into the file the reader is, for the progress bar.
final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private(set) var bytesRead: Int64 = 0
    /// The number of the line last returned, from 1.
    private(set) var lineNumber = 0

    init(handle: FileHandle) {
        self.handle = handle
    }

    /// The next line, or nil at the end of the input.
    func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0a) {
                var line = Array(buffer[start..<newline])
                start = newline + 1
                if line.last == 0x0d { line.removeLast() }
                lineNumber += 1
                bytesRead += Int64(line.count + 1)
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                var line = Array(buffer[start...])
                start = buffer.count
                if line.last == 0x0d { line.removeLast() }
                lineNumber += 1
                bytesRead += Int64(line.count)
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
