/// Given and family names of one part of the world, for learners and creators.
///
/// Entries written `display|ascii` carry their ASCII spelling; others are folded to ASCII by `asciiFolded`.
/// ASCII spellings keep only lowercase letters, digits and hyphens, ready for email addresses.
struct NamePool: Sendable {
    private let givenNames: [(display: String, ascii: String)]
    private let familyNames: [(display: String, ascii: String)]
    private let isFamilyFirst: Bool

    /// Creates a pool from `display` or `display|ascii` entries.
    init(given: [String], family: [String], familyFirst: Bool = false) {
        func parse(_ entry: String) -> (display: String, ascii: String) {
            let parts = entry.split(separator: "|", maxSplits: 1).map(String.init)
            let ascii = (parts.count == 2 ? parts[1] : entry).asciiFolded
            return (parts[0], String(ascii.unicodeScalars.filter { $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
        }
        givenNames = given.map(parse)
        familyNames = family.map(parse)
        isFamilyFirst = familyFirst
    }

    /// A random name from the pool.
    func name(random: inout RandomSource) -> PersonName {
        let given = random.element(of: givenNames)
        let family = random.element(of: familyNames)
        return PersonName(
            given: given.display, family: family.display,
            asciiGiven: given.ascii, asciiFamily: family.ascii, isFamilyFirst: isFamilyFirst
        )
    }

    /// The number of distinct names the pool can make.
    var combinations: Int { givenNames.count * familyNames.count }

    /// Names common in English-speaking countries.
    static let english = NamePool(
        given: ["James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella",
                "Lucas", "Mia", "Henry", "Charlotte", "Jack", "Amelia", "Owen", "Harper", "Leo", "Grace",
                "Daniel", "Chloe", "Samuel", "Ella", "Nathan", "Ruby", "Caleb", "Hannah", "Isaac", "Zoë"],
        family: ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
                 "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
                 "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "O'Brien"]
    )

    /// Names common in Spain and Latin America.
    static let spanish = NamePool(
        given: ["José", "María", "Lucía", "Sofía", "Mateo", "Santiago", "Valentina", "Diego", "Camila", "Alejandro",
                "Daniela", "Javier", "Carmen", "Pablo", "Elena", "Andrés", "Isabel", "Miguel", "Paula", "Tomás"],
        family: ["García", "Martínez", "Rodríguez", "López", "Hernández", "Pérez", "Gómez", "Sánchez", "Díaz", "Torres",
                 "Ramírez", "Flores", "Morales", "Ortiz", "Castillo", "Ruiz", "Vargas", "Romero", "Navarro", "Muñoz"]
    )

    /// Names common in German-speaking countries.
    static let german = NamePool(
        given: ["Jonas", "Lena", "Lukas", "Mia", "Felix", "Hannah", "Paul", "Emma", "Jürgen", "Leonie",
                "Maximilian", "Sophie", "Tobias", "Anna", "Niklas", "Laura", "Moritz", "Katrin", "Stefan", "Jörg"],
        family: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schäfer", "Koch",
                 "Hoffmann", "Schulz", "Bauer", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Krüger"]
    )

    /// Names common in India.
    static let indian = NamePool(
        given: ["Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Neha", "Arjun", "Kavya", "Rahul", "Isha",
                "Aditya", "Pooja", "Karthik", "Divya", "Siddharth", "Meera", "Varun", "Shreya", "Nikhil", "Lakshmi"],
        family: ["Sharma", "Patel", "Singh", "Iyer", "Reddy", "Gupta", "Nair", "Kumar", "Mehta", "Rao",
                 "Joshi", "Desai", "Menon", "Chopra", "Banerjee", "Pillai", "Verma", "Agarwal", "Shah", "Kapoor"]
    )

    /// Chinese names in characters, family name first.
    static let chinese = NamePool(
        given: ["伟|wei", "芳|fang", "娜|na", "敏|min", "静|jing", "磊|lei", "洋|yang", "艳|yan", "勇|yong", "杰|jie",
                "婷|ting", "浩|hao", "欣怡|xinyi", "子轩|zixuan", "梓涵|zihan", "宇航|yuhang"],
        family: ["王|wang", "李|li", "张|zhang", "刘|liu", "陈|chen", "杨|yang", "黄|huang", "赵|zhao", "周|zhou", "吴|wu",
                 "徐|xu", "孙|sun", "马|ma", "胡|hu", "郭|guo", "林|lin"],
        familyFirst: true
    )

    /// Chinese names in pinyin.
    static let pinyin = NamePool(
        given: ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yang", "Yan", "Yong", "Jie", "Ting", "Hao", "Xinyi", "Zixuan"],
        family: ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Zhou", "Wu", "Xu", "Sun", "Lin", "Guo"]
    )

    /// Names common in the Nordic countries.
    static let nordic = NamePool(
        given: ["Maya", "Erik", "Astrid", "Lars", "Ingrid", "Søren", "Freja", "Anders", "Sigrid", "Nils",
                "Elsa", "Magnus", "Linnea", "Oskar", "Saga", "Henrik", "Maja", "Axel", "Ebba", "Mikkel"],
        family: ["Lindqvist", "Johansson", "Andersson", "Nilsson", "Eriksson", "Larsen", "Hansen", "Østergaard", "Berg", "Holm",
                 "Lindberg", "Karlsson", "Nyström", "Dahl", "Sørensen", "Virtanen", "Korhonen", "Jensen", "Lund", "Ahlgren"]
    )

    /// Names common in France.
    static let french = NamePool(
        given: ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Théo", "Inès", "Jules", "Zoé",
                "Gabriel", "Clara", "Arthur", "Juliette", "Raphaël", "Alice", "Antoine", "Margaux", "Nathan", "Élise"],
        family: ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre", "Moreau",
                 "Laurent", "Simon", "Michel", "Garnier", "Rousseau", "Fontaine", "Girard", "Bonnet", "Mercier", "Lambert"]
    )

    /// Names common in Nigeria, Ghana and Kenya.
    static let westAfrican = NamePool(
        given: ["Chinedu", "Ngozi", "Oluwaseun", "Amara", "Tunde", "Aisha", "Emeka", "Zainab", "Kwame", "Wanjiru",
                "Folake", "Ifeanyi", "Adaeze", "Kofi", "Yetunde", "Babajide", "Chiamaka", "Musa", "Efua", "Otieno"],
        family: ["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Mensah", "Odhiambo", "Eze", "Nwosu", "Abubakar", "Kamau",
                 "Ogunleye", "Boateng", "Adebayo", "Chukwu", "Owusu", "Mwangi", "Ibrahim", "Oyelaran", "Asante", "Njoroge"]
    )

    /// Names common in Brazil and Portugal.
    static let portuguese = NamePool(
        given: ["João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa", "Rafael", "Camila",
                "Thiago", "Fernanda", "Gustavo", "Juliana", "Felipe", "Letícia", "Bruno", "Carolina", "Vinícius", "Renata"],
        family: ["Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Rodrigues", "Lima",
                 "Carvalho", "Gomes", "Ribeiro", "Martins", "Araújo", "Barbosa", "Rocha", "Cardoso", "Teixeira", "Moreira"]
    )

    /// Japanese names in romaji.
    static let japanese = NamePool(
        given: ["Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Yuto", "Sakura", "Kenji", "Emi",
                "Takumi", "Mio", "Daiki", "Rin", "Kaito", "Yuna"],
        family: ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
                 "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura"]
    )

    /// Names common in Poland and Ukraine.
    static let eastEuropean = NamePool(
        given: ["Anna", "Jakub", "Olena", "Piotr", "Katarzyna", "Andrii", "Zofia", "Mykola", "Agnieszka", "Tomasz",
                "Iryna", "Marek", "Oksana", "Paweł", "Natalia", "Dmytro"],
        family: ["Kowalski", "Nowak", "Wiśniewska", "Shevchenko", "Kovalenko", "Zieliński", "Bondarenko", "Wójcik", "Melnyk", "Kamińska",
                 "Lewandowski", "Tkachenko", "Dąbrowski", "Kravchenko", "Mazur", "Boyko"]
    )

    /// Names common in Vietnam, Indonesia and the Philippines.
    static let southeastAsian = NamePool(
        given: ["Nguyen", "Linh", "Minh", "Anh", "Putri", "Budi", "Siti", "Rizky", "Maria", "Jose",
                "Angelica", "Mark", "Dewi", "Tuan", "Hoa", "Andi"],
        family: ["Nguyen", "Tran", "Le", "Pham", "Santoso", "Wijaya", "Hidayat", "Reyes", "Santos", "Cruz",
                 "Bautista", "Garcia", "Hoang", "Vu", "Pratama", "Lestari"]
    )

    /// Names common in Turkey and Egypt.
    static let middleEastern = NamePool(
        given: ["Ahmed", "Fatima", "Omar", "Layla", "Youssef", "Mariam", "Mehmet", "Elif", "Ali", "Zeynep",
                "Hassan", "Nour", "Emre", "Aylin", "Karim", "Salma"],
        family: ["Hassan", "Yılmaz", "Kaya", "Demir", "Mansour", "Haddad", "Şahin", "El-Sayed", "Aydın", "Farouk",
                 "Çelik", "Nasser", "Öztürk", "Khalil", "Arslan", "Saleh"]
    )

    /// Korean names in romanization.
    static let korean = NamePool(
        given: ["Minjun", "Seoyeon", "Jiho", "Hayoon", "Doyun", "Jiwoo", "Eunwoo", "Sua", "Hyunwoo", "Yerin"],
        family: ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
    )

    /// Names common in Italy.
    static let italian = NamePool(
        given: ["Giulia", "Francesco", "Chiara", "Lorenzo", "Martina", "Alessandro", "Sara", "Matteo", "Federica", "Davide"],
        family: ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"]
    )

    /// Every pool, for creators, who come from anywhere.
    static let everyPool: [NamePool] = [
        english, spanish, german, indian, pinyin, nordic, french, westAfrican, portuguese, japanese,
        eastEuropean, southeastAsian, middleEastern, korean, italian,
    ]
}
