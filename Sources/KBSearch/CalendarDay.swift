import Foundation
import KBCorpus

/// `YYYY-MM-DD` dates (the corpus's `updated`) as UTC day numbers, without a DateFormatter:
/// ages are computed for every hit, and building a formatter per call was the slow part.
enum CalendarDay {
    /// Days since 1970-01-01 (H. Hinnant's days-from-civil), nil for a malformed date.
    static func number(_ date: String) -> Int? {
        guard Vocabulary.isValidDate(date) else { return nil }
        let p = date.split(separator: "-").compactMap { Int($0) }
        let (m, d) = (p[1], p[2])
        let y = p[0] - (m <= 2 ? 1 : 0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    /// The `YYYY-MM-DD` of a day number (civil-from-days).
    static func string(_ n: Int) -> String {
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The UTC day number `date` falls on.
    static func number(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }
}
