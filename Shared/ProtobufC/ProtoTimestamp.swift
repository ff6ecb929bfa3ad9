#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant on the UTC time line, the Swift face of `google.protobuf.Timestamp`.
///
/// Contracts carry instants (crossings, decisions, audit entries) as
/// Timestamps; this small value keeps Foundation out of the wire layer and
/// holds exactly what the proto holds: seconds since 1970-01-01T00:00:00Z and
/// a non-negative nanosecond part. Arithmetic is with Swift's `Duration`.
public struct ProtoTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since the Unix epoch; negative before 1970.
    public var seconds: Int64
    /// Nanoseconds within the second, 0 to 999,999,999.
    public var nanos: Int32

    /// The Unix epoch, the zero value of `google.protobuf.Timestamp`.
    public init() {
        seconds = 0
        nanos = 0
    }

    /// An instant from seconds since the epoch and nanoseconds; nanoseconds
    /// outside 0..<1e9 carry into the seconds.
    public init(seconds: Int64, nanos: Int32 = 0) {
        let carry = Int64(nanos).quotientAndRemainder(dividingBy: 1_000_000_000)
        var seconds = seconds + carry.quotient
        var nanos = carry.remainder
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        self.seconds = seconds
        self.nanos = Int32(nanos)
    }

    /// The Unix epoch, 1970-01-01T00:00:00Z.
    public static let epoch = ProtoTimestamp(seconds: 0)

    /// The current time from the system's real-time clock.
    public static func now() -> ProtoTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return ProtoTimestamp(seconds: Int64(spec.tv_sec), nanos: Int32(spec.tv_nsec))
    }

    public static func < (lhs: ProtoTimestamp, rhs: ProtoTimestamp) -> Bool {
        (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
    }

    /// The instant `duration` later.
    public static func + (lhs: ProtoTimestamp, rhs: Duration) -> ProtoTimestamp {
        let (seconds, attoseconds) = rhs.components
        return ProtoTimestamp(seconds: lhs.seconds + seconds, nanos: lhs.nanos + Int32(attoseconds / 1_000_000_000))
    }

    /// The instant `duration` earlier.
    public static func - (lhs: ProtoTimestamp, rhs: Duration) -> ProtoTimestamp {
        lhs + (.zero - rhs)
    }

    /// The time from `rhs` to `lhs`.
    public static func - (lhs: ProtoTimestamp, rhs: ProtoTimestamp) -> Duration {
        .seconds(lhs.seconds - rhs.seconds) + .nanoseconds(Int64(lhs.nanos) - Int64(rhs.nanos))
    }

    /// RFC 3339 in UTC, such as `2026-11-23T18:40:52.5Z` (fraction only when non-zero).
    public var description: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        var text = "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
        text += "\(Self.pad(secondOfDay / 3600, 2)):\(Self.pad(secondOfDay / 60 % 60, 2)):\(Self.pad(secondOfDay % 60, 2))"
        if nanos != 0 {
            var fraction = Self.pad(Int64(nanos), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Duration {
    /// The duration as `google.protobuf.Duration` holds it: whole seconds and
    /// nanoseconds with the same sign (sub-nanosecond parts are truncated).
    @inlinable
    public var protoComponents: (seconds: Int64, nanos: Int32) {
        var (seconds, attoseconds) = components
        var nanos = attoseconds / 1_000_000_000
        if seconds < 0 && nanos > 0 {
            seconds += 1
            nanos -= 1_000_000_000
        } else if seconds > 0 && nanos < 0 {
            seconds -= 1
            nanos += 1_000_000_000
        }
        attoseconds = 0
        return (seconds, Int32(nanos))
    }

    /// A duration from `google.protobuf.Duration`'s seconds and nanoseconds.
    @inlinable
    public init(protoSeconds seconds: Int64, nanos: Int32) {
        self = .seconds(seconds) + .nanoseconds(Int64(nanos))
    }
}
