import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An intake's progress on stderr: on a terminal, one line redrawn in place
/// with a bar (when the file's size is known), rows sent, accepted and
/// rejected, and the rate; otherwise a plain line every few seconds, which
/// logs and CI keep readable.
final class IntakeProgress {
    let isTerminal = isatty(2) == 1
    let totalBytes: Int64?
    var batch: Int64 = 0
    var sent: Int64 = 0
    var accepted: Int64 = 0
    var rejected: Int64 = 0
    private var sentThisRun: Int64 = 0
    private var bytes: Int64 = 0
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var barShown = false

    init(totalBytes: Int64?) {
        self.totalBytes = totalBytes.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Counts rows sent by this run.
    func sent(rows: Int, bytesRead: Int64) {
        sent += Int64(rows)
        sentThisRun += Int64(rows)
        bytes = bytesRead
    }

    /// Counts rows of a batch an earlier attempt committed (not in the rate).
    func skipped(rows: Int, bytesRead: Int64) {
        sent += Int64(rows)
        bytes = bytesRead
    }

    func draw(force: Bool = false) {
        let now = ContinuousClock.now
        let every: Duration = isTerminal ? .milliseconds(100) : .seconds(5)
        if !force, let lastDrawn, now - lastDrawn < every { return }
        lastDrawn = now
        let line = summary(now: now)
        if isTerminal {
            write("\r" + line + "\u{1B}[K")
            barShown = true
        } else {
            write("intake: " + line + "\n")
        }
    }

    /// A message on a line of its own (the bar is redrawn below it).
    func note(_ text: String) {
        if isTerminal && barShown { write("\r\u{1B}[K") }
        write(text + "\n")
        barShown = false
    }

    /// Ends the bar's line.
    func finish() {
        draw(force: true)
        if isTerminal && barShown { write("\n"); barShown = false }
    }

    private func summary(now: ContinuousClock.Instant) -> String {
        let seconds = max(0.001, Double((now - started).components.seconds)
                          + Double((now - started).components.attoseconds) / 1e18)
        let rate = Int((Double(sentThisRun) / seconds).rounded())
        var parts: [String] = []
        if let totalBytes {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let width = 24
            let filled = Int((fraction * Double(width)).rounded(.down))
            let percent = Int((fraction * 100).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                         + "\(percent)%")
        }
        parts.append("batch \(batch)")
        parts.append("sent \(sent)")
        parts.append("accepted \(accepted)")
        parts.append("rejected \(rejected)")
        parts.append("\(rate) rows/s")
        return parts.joined(separator: "  ")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
