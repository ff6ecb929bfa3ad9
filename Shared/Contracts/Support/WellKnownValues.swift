import CContracts
import ProtobufC

/// Reads the well-known types that the Swift API shows as Swift values
/// (`google.protobuf.Timestamp`, `Duration` and the wrappers) out of their
/// protobuf-c structs. Used by generated code only (Contracts' own and the
/// test-only TestContracts module's).
public enum WellKnownValues {
    @inlinable public static func timestamp(_ c: UnsafePointer<Google__Protobuf__Timestamp>) -> ProtoTimestamp {
        ProtoTimestamp(seconds: c.pointee.seconds, nanos: c.pointee.nanos)
    }

    @inlinable public static func duration(_ c: UnsafePointer<Google__Protobuf__Duration>) -> Duration {
        Duration(protoSeconds: c.pointee.seconds, nanos: c.pointee.nanos)
    }

    @inlinable public static func doubleValue(_ c: UnsafePointer<Google__Protobuf__DoubleValue>) -> Double { c.pointee.value }
    @inlinable public static func floatValue(_ c: UnsafePointer<Google__Protobuf__FloatValue>) -> Float { c.pointee.value }
    @inlinable public static func int64Value(_ c: UnsafePointer<Google__Protobuf__Int64Value>) -> Int64 { c.pointee.value }
    @inlinable public static func uint64Value(_ c: UnsafePointer<Google__Protobuf__UInt64Value>) -> UInt64 { c.pointee.value }
    @inlinable public static func int32Value(_ c: UnsafePointer<Google__Protobuf__Int32Value>) -> Int32 { c.pointee.value }
    @inlinable public static func uint32Value(_ c: UnsafePointer<Google__Protobuf__UInt32Value>) -> UInt32 { c.pointee.value }
    @inlinable public static func boolValue(_ c: UnsafePointer<Google__Protobuf__BoolValue>) -> Bool { c.pointee.value != 0 }
    @inlinable public static func bytesValue(_ c: UnsafePointer<Google__Protobuf__BytesValue>) -> [UInt8] { ProtobufCRead.bytes(c.pointee.value) }

    @inlinable public static func stringValue(_ c: UnsafePointer<Google__Protobuf__StringValue>, field: String) throws -> String {
        try ProtobufCRead.string(c.pointee.value, field: field)
    }
}

// Writing the well-known types from Swift values into the arena.
extension ProtobufCArena {
    @inlinable public func timestamp(_ value: ProtoTimestamp) -> UnsafeMutablePointer<Google__Protobuf__Timestamp> {
        let c = allocate(Google__Protobuf__Timestamp.self)
        google__protobuf__timestamp__init(c)
        c.pointee.seconds = value.seconds
        c.pointee.nanos = value.nanos
        return c
    }

    @inlinable public func duration(_ value: Duration) -> UnsafeMutablePointer<Google__Protobuf__Duration> {
        let c = allocate(Google__Protobuf__Duration.self)
        google__protobuf__duration__init(c)
        (c.pointee.seconds, c.pointee.nanos) = value.protoComponents
        return c
    }

    @inlinable
    func wrapper<C>(_ type: C.Type, _ initialize: (UnsafeMutablePointer<C>?) -> Void,
                    _ set: (inout C) -> Void) -> UnsafeMutablePointer<C> {
        let c = allocate(C.self)
        initialize(c)
        set(&c.pointee)
        return c
    }

    @inlinable public func doubleValue(_ value: Double) -> UnsafeMutablePointer<Google__Protobuf__DoubleValue> {
        wrapper(Google__Protobuf__DoubleValue.self, google__protobuf__double_value__init) { $0.value = value }
    }

    @inlinable public func floatValue(_ value: Float) -> UnsafeMutablePointer<Google__Protobuf__FloatValue> {
        wrapper(Google__Protobuf__FloatValue.self, google__protobuf__float_value__init) { $0.value = value }
    }

    @inlinable public func int64Value(_ value: Int64) -> UnsafeMutablePointer<Google__Protobuf__Int64Value> {
        wrapper(Google__Protobuf__Int64Value.self, google__protobuf__int64_value__init) { $0.value = value }
    }

    @inlinable public func uint64Value(_ value: UInt64) -> UnsafeMutablePointer<Google__Protobuf__UInt64Value> {
        wrapper(Google__Protobuf__UInt64Value.self, google__protobuf__uint64_value__init) { $0.value = value }
    }

    @inlinable public func int32Value(_ value: Int32) -> UnsafeMutablePointer<Google__Protobuf__Int32Value> {
        wrapper(Google__Protobuf__Int32Value.self, google__protobuf__int32_value__init) { $0.value = value }
    }

    @inlinable public func uint32Value(_ value: UInt32) -> UnsafeMutablePointer<Google__Protobuf__UInt32Value> {
        wrapper(Google__Protobuf__UInt32Value.self, google__protobuf__uint32_value__init) { $0.value = value }
    }

    @inlinable public func boolValue(_ value: Bool) -> UnsafeMutablePointer<Google__Protobuf__BoolValue> {
        wrapper(Google__Protobuf__BoolValue.self, google__protobuf__bool_value__init) { $0.value = value ? 1 : 0 }
    }

    @inlinable public func bytesValue(_ value: [UInt8]) -> UnsafeMutablePointer<Google__Protobuf__BytesValue> {
        let data = bytes(value)
        return wrapper(Google__Protobuf__BytesValue.self, google__protobuf__bytes_value__init) { $0.value = data }
    }

    @inlinable public func stringValue(_ value: String, field: String) throws -> UnsafeMutablePointer<Google__Protobuf__StringValue> {
        let text = try string(value, field: field)
        return wrapper(Google__Protobuf__StringValue.self, google__protobuf__string_value__init) { $0.value = text }
    }
}
