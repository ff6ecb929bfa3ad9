import ArgumentParser

/// A `--timeout`: `500ms`, `5s`, `1.5s`, `2m`, or bare seconds (`10`).
struct TimeoutOption: ExpressibleByArgument {
    var duration: Duration
    /// As given, for help texts.
    var text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var number = Substring(argument)
        var scale = 1e9
        for unit in units where argument.hasSuffix(unit.suffix) {
            number = argument.dropLast(unit.suffix.count)
            scale = unit.nanoseconds
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale < 1e18 else { return nil }
        duration = .nanoseconds(Int64(value * scale))
        text = argument
    }
}
