import CoreMetrics
import Synchronization

/// A swift-metrics backend that keeps every metric in memory and renders
/// them in the Prometheus text format (version 0.0.4) for `MetricsEndpoint`.
///
/// Counters become `counter`, meters and non-aggregating recorders `gauge`,
/// timers (in seconds) and aggregating recorders `histogram`. Bootstrap it once
/// per process: `MetricsSystem.bootstrap(metrics)`. Thread-safe.
public final class PrometheusMetrics: MetricsFactory, Sendable {
    /// Histogram bounds for timers, in seconds.
    public static let secondsBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    private struct Family {
        var type: String
        var series: [String: any PrometheusSeries] = [:]
    }

    private func series<S: PrometheusSeries>(_ label: String, _ dimensions: [(String, String)], type: String,
                                             make: () -> S) -> S {
        let name = PrometheusText.metricName(label)
        let labels = PrometheusText.labels(dimensions)
        return families.withLock { families in
            if let existing = families[name]?.series[labels] as? S { return existing }
            let created = make()
            var family = families[name] ?? Family(type: type)
            family.series[labels] = created
            families[name] = family
            return created
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        series(label, dimensions, type: "counter") { PrometheusValue() }
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        series(label, dimensions, type: "counter") { PrometheusValue() }
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        series(label, dimensions, type: "gauge") { PrometheusValue() }
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            return series(label, dimensions, type: "histogram") { PrometheusHistogram(bounds: Self.secondsBuckets) }
        }
        return series(label, dimensions, type: "gauge") { PrometheusValue() }
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        series(label, dimensions, type: "histogram") { PrometheusHistogram(bounds: Self.secondsBuckets) }
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Every metric in the Prometheus text format, families and series sorted.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            let family = snapshot[name]!
            out += "# TYPE \(name) \(family.type)\n"
            for labels in family.series.keys.sorted() {
                family.series[labels]!.render(name: name, labels: labels, into: &out)
            }
        }
        return out
    }
}

/// One series of a family, rendered as one or more sample lines.
protocol PrometheusSeries: Sendable {
    func render(name: String, labels: String, into out: inout String)
}

/// A counter or gauge value: a `Double` kept as its bit pattern in an atomic,
/// so the calls of every completion-queue thread update it without a lock.
final class PrometheusValue: CounterHandler, FloatingPointCounterHandler, MeterHandler, RecorderHandler,
    PrometheusSeries, Sendable {
    private let bits = Atomic<UInt64>(0)

    var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }

    func increment(by amount: Int64) { update { $0 + Double(amount) } }
    func increment(by amount: Double) { update { $0 + amount } }
    func decrement(by amount: Double) { update { $0 - amount } }
    func reset() { set(0.0) }
    func set(_ newValue: Int64) { set(Double(newValue)) }
    func set(_ newValue: Double) { bits.store(newValue.bitPattern, ordering: .relaxed) }
    func record(_ newValue: Int64) { set(newValue) }
    func record(_ newValue: Double) { set(newValue) }

    private func update(_ change: (Double) -> Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = bits.compareExchange(
                expected: current, desired: change(Double(bitPattern: current)).bitPattern, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    func render(name: String, labels: String, into out: inout String) {
        out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(PrometheusText.number(value))\n"
    }
}

/// A cumulative histogram; timers record seconds. Each bucket, the count and
/// the sum are atomics (no lock per observation); a scrape reads them one by
/// one, so it may see an observation in `count` and not yet in its bucket,
/// as Prometheus client libraries that avoid a lock allow too.
final class PrometheusHistogram: RecorderHandler, TimerHandler, PrometheusSeries, Sendable {
    private let bounds: [Double]
    private let buckets: [Cell]
    private let count = Cell()
    private let sum = PrometheusValue()

    private final class Cell: Sendable {
        let value = Atomic<UInt64>(0)
    }

    init(bounds: [Double]) {
        self.bounds = bounds
        buckets = bounds.map { _ in Cell() }
    }

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        if let index = bounds.firstIndex(where: { value <= $0 }) {
            buckets[index].value.wrappingAdd(1, ordering: .relaxed)
        }
        sum.increment(by: value)
        count.value.wrappingAdd(1, ordering: .relaxed)
    }

    func recordNanoseconds(_ duration: Int64) { record(Double(duration) / 1e9) }

    func render(name: String, labels: String, into out: inout String) {
        let prefix = labels.isEmpty ? "" : labels + ","
        var cumulative: UInt64 = 0
        for (bound, bucket) in zip(bounds, buckets) {
            cumulative += bucket.value.load(ordering: .relaxed)
            out += "\(name)_bucket{\(prefix)le=\"\(PrometheusText.number(bound))\"} \(cumulative)\n"
        }
        // At least the buckets' sum, so the +Inf bucket never reads below a finite one.
        let total = max(cumulative, count.value.load(ordering: .relaxed))
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(total)\n"
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(braces) \(PrometheusText.number(sum.value))\n"
        out += "\(name)_count\(braces) \(total)\n"
    }
}

/// Names, labels and numbers as the text format wants them.
enum PrometheusText {
    static func metricName(_ label: String) -> String {
        var out = ""
        for (index, scalar) in label.unicodeScalars.enumerated() {
            let isLetter = (0x41...0x5a).contains(scalar.value) || (0x61...0x7a).contains(scalar.value)
            let isDigit = (0x30...0x39).contains(scalar.value)
            let valid = isLetter || scalar == "_" || scalar == ":" || (isDigit && index > 0)
            out.unicodeScalars.append(valid ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }

    static func labels(_ dimensions: [(String, String)]) -> String {
        dimensions.sorted { $0.0 < $1.0 }.map { key, value in
            let name = metricName(key).replacingColons()
            return "\(name)=\"\(escape(value))\""
        }.joined(separator: ",")
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

private extension String {
    func replacingColons() -> String { String(map { $0 == ":" ? "_" : $0 }) }
}
