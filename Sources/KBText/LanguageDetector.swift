/// Guesses a query's language from its script, for queries that do not say.
///
/// kana → `ja` (even mixed with kanji), Hangul → `ko`, Thai → `th`, Lao → `lo`, Khmer →
/// `km`, Burmese → `my`, Arabic → `ar`, Hebrew → `he`, Cyrillic → `ru`, Greek → `el`,
/// Devanagari → `hi`, Han alone → `zh`. Latin script says nothing about the language: nil.
public enum LanguageDetector {
    public static func detect(_ segments: [Segment]) -> String? {
        var counts: [Script: Int] = [:]
        for s in segments { counts[s.script, default: 0] += 1 }
        if counts[.kana] != nil { return "ja" }
        if counts[.hangul] != nil { return "ko" }
        let ranked: [(Script, String)] = [
            (.thai, "th"), (.lao, "lo"), (.khmer, "km"), (.myanmar, "my"), (.arabic, "ar"), (.hebrew, "he"),
            (.cyrillic, "ru"), (.greek, "el"), (.devanagari, "hi"), (.han, "zh"),
        ]
        let present = ranked.filter { counts[$0.0] != nil }
        // Most words decide; Latin words (brand names, "CE") do not outvote them.
        return present.max { counts[$0.0]! < counts[$1.0]! }?.1
    }
}
