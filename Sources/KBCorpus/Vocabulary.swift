/// The controlled values of the front matter (docs/corpus-format.md lists the same).
public enum Vocabulary {
    public static let stages: Set<String> = ["pre-sale", "in-sale", "after-sale"]
    public static let channels: Set<String> = ["email", "chat", "social", "phone"]
    public static let severities: Set<String> = ["low", "medium", "high"]
    public static let categories: Set<String> = [
        "logistics-delay", "lost-parcel", "customs", "duties-tax", "shipping", "damaged", "wrong-item",
        "size-mismatch", "quality", "description-mismatch", "payment-failure", "exchange-rate", "refund",
        "return", "exchange", "cancellation", "chargeback", "warranty", "privacy", "certification",
        "product-safety", "usage", "ip-complaint", "compensation", "complaint", "escalation", "review",
        "culture", "account", "invoice",
    ]
    public static let platforms: Set<String> = [
        "amazon", "ebay", "shopify", "aliexpress", "shopee", "lazada", "mercadolibre", "temu", "tiktok-shop",
        "paypal", "etsy", "walmart", "rakuten", "coupang", "noon", "allegro", "zalando", "otto", "cdiscount",
        "stripe", "card-networks",
    ]
    public static let productLines: Set<String> = [
        "3c", "appliances", "beauty", "apparel", "shoes", "jewelry", "home", "toys", "baby", "sports",
        "outdoor", "health", "pet", "auto", "food",
    ]

    /// `[a-z0-9][a-z0-9-]{0,63}`: entry ids and group names.
    public static func isValidID(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func ok(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return ok(bytes[0]) && bytes.dropFirst().allSatisfy { ok($0) || $0 == 0x2D }
    }

    /// `YYYY-MM-DD` naming a real calendar day.
    public static func isValidDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }
}
