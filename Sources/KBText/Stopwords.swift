/// The commonest function words of Latin-script languages: enough to tell which language a
/// pasted customer message is in, and to leave them out of long queries.
public enum Stopwords {
    public static let lists: [String: Set<String>] = [
        "en": set("the and is are was to of in for on with my your you i it this that have has not can please order we be at from"),
        "de": set("der die das und ist ich nicht mit ein eine zu den von für auf sie es mein meine wir haben bitte noch seit ihr ihre"),
        "es": set("el la los las y es de que en un una por para con no mi su se lo al del pedido hola gracias"),
        "fr": set("le la les et est de des du un une pour dans que qui ne pas je mon ma mes vous nous avec sur bonjour merci"),
        "it": set("il lo la gli le e è di che un una per non mi mio mia con sono ho del della grazie buongiorno"),
        "pt": set("o a os as e é de do da que um uma para não meu minha com em no na por obrigado olá pedido"),
        "nl": set("de het een en is van ik niet met op voor dat mijn zijn heb bestelling"),
        "tr": set("ve bir bu için ile çok da de ne ben benim siparişim değil mi var yok merhaba teşekkürler"),
        "id": set("dan yang di ke dari saya tidak ini itu untuk dengan ada sudah belum kak mohon terima kasih pesanan"),
        "vi": set("và là của tôi không có được cho này đã với một những các đơn hàng bạn"),
        "pl": set("i w nie na jest się że z do to mój moja za po jak zamówienie dzień dobry"),
        "sv": set("och är att det som en ett på i för med inte jag min har beställning"),
        "ro": set("și este în de la nu un o cu pentru că mea meu am comanda"),
    ]

    static func set(_ s: String) -> Set<String> { Set(s.split(separator: " ").map(String.init)) }

    /// The language whose function words a Latin-script text uses most, when clear.
    public static func guess(_ forms: [String]) -> String? {
        guard forms.count >= 3 else { return nil }
        var scores: [(lang: String, hits: Int)] = []
        for (lang, words) in lists {
            let hits: Int = forms.reduce(0) { $0 + (words.contains($1) ? 1 : 0) }
            scores.append((lang, hits))
        }
        scores.sort { a, b in a.hits != b.hits ? a.hits > b.hits : a.lang < b.lang }
        let runnerUp = scores.count > 1 ? scores[1].hits : 0
        guard let best = scores.first, best.hits >= 2, best.hits > runnerUp else { return nil }
        return best.lang
    }

    public static func contains(_ word: String, language: String?) -> Bool {
        guard let language else { return false }
        return lists[String(language.split(separator: "-").first ?? "")]?.contains(word) ?? false
    }
}
