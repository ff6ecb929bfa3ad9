#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to stdout and stderr unbuffered, so each streamed response reaches a
/// pipe as soon as it arrives (no stdio buffer to flush). A closed pipe ends
/// the process with SIGPIPE, as it would a shell tool.
enum Console {
    static func out(_ text: String) { write(1, text) }

    static func error(_ text: String) { write(2, text) }

    private static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        if bytes.last != 0x0a { bytes.append(0x0a) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (`| head -n 1`): end as a shell expects, by SIGPIPE,
                // rather than keep a server stream running with nobody reading.
                if errno == EPIPE {
                    signal(SIGPIPE, SIG_DFL)
                    raise(SIGPIPE)
                }
                return
            }
            offset += written
        }
    }
}
