/// HTTP-date parsing (RFC 9110 §5.6.7) to seconds since the Unix epoch, without Foundation. Pure; thread-safe.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Accepts `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850) and
    /// `Sun Nov  6 08:49:37 1994` (asctime). The weekday is not checked. Nil for anything else.
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " }).map(String.init)
        var day: Int?
        var month: Int?
        var year: Int?
        var clock: String?
        if parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" {  // IMF-fixdate
            day = Int(parts[1])
            month = monthIndex(parts[2])
            year = parts[3].count == 4 ? Int(parts[3]) : nil
            clock = parts[4]
        } else if parts.count == 4, parts[0].hasSuffix(","), parts[3] == "GMT" {  // RFC 850
            let date = parts[1].split(separator: "-").map(String.init)
            guard date.count == 3, date[2].count == 2, let shortYear = Int(date[2]) else { return nil }
            day = Int(date[0])
            month = monthIndex(date[1])
            year = shortYear + (shortYear < 70 ? 2000 : 1900)
            clock = parts[2]
        } else if parts.count == 5 {  // asctime
            month = monthIndex(parts[1])
            day = Int(parts[2])
            clock = parts[3]
            year = parts[4].count == 4 ? Int(parts[4]) : nil
        }
        guard let day, let month, let year, let clock, (1...31).contains(day), (1970...9999).contains(year) else {
            return nil
        }
        let time = clock.split(separator: ":").map { Int($0) }
        guard time.count == 3, let hour = time[0], let minute = time[1], let second = time[2],
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func monthIndex(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased())
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
