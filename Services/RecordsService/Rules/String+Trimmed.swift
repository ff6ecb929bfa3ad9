/// Blank-field checks: a required text field is present when it has more
/// than white space.
extension String {
    /// The text without leading and trailing white space.
    var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.unicodeScalars.first, first.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.unicodeScalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
