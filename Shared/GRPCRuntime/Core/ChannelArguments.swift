import CGRPC

/// Channel arguments (`grpc_channel_args`) built from Swift values.
/// The core copies them during the create call, so the C strings live only
/// inside `withCArguments`.
struct ChannelArguments {
    private var integers: [(String, Int32)] = []
    private var strings: [(String, String)] = []

    mutating func set(_ key: String, _ value: Int32) { integers.append((key, value)) }
    mutating func set(_ key: String, _ value: String) { strings.append((key, value)) }

    func withCArguments<R>(_ body: (UnsafePointer<grpc_channel_args>) throws -> R) rethrows -> R {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        var args: [grpc_arg] = []
        for (key, value) in integers {
            var arg = grpc_arg()
            let cKey = strdup(key)!
            owned.append(cKey)
            cgrpc_arg_set_integer(&arg, cKey, value)
            args.append(arg)
        }
        for (key, value) in strings {
            var arg = grpc_arg()
            let cKey = strdup(key)!
            let cValue = strdup(value)!
            owned.append(cKey)
            owned.append(cValue)
            cgrpc_arg_set_string(&arg, cKey, cValue)
            args.append(arg)
        }
        return try args.withUnsafeMutableBufferPointer { buffer in
            var channelArgs = grpc_channel_args(num_args: buffer.count, args: buffer.baseAddress)
            return try body(&channelArgs)
        }
    }
}
