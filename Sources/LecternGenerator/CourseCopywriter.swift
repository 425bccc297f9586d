/// Writes the title and description of a course from templates, in the course's language.
enum CourseCopywriter {
    /// The English title of a course, which its slug also comes from.
    static func englishTitle(
        domain: CourseDomain, subject: CourseSubject, difficulty: Difficulty, random: inout RandomSource
    ) -> String {
        fill(random.element(of: domain.titles[difficulty.rawValue]), subject: subject.title)
    }

    /// The title shown for a course taught in `language`; English courses keep `englishTitle`.
    static func title(
        englishTitle: String, subject: CourseSubject, difficulty: Difficulty, language: CourseLanguage,
        random: inout RandomSource
    ) -> String {
        switch language {
        case .english:
            return englishTitle
        case .chinese:
            return fill(random.element(of: chineseTitles[difficulty.rawValue]), subject: subject.chineseTitle)
        case .spanish:
            return fill(random.element(of: spanishTitles[difficulty.rawValue]), subject: subject.title)
        case .german:
            return fill(random.element(of: germanTitles[difficulty.rawValue]), subject: subject.title)
        }
    }

    /// A one- or two-sentence description; some contain commas or quotes, so quoting gets exercised.
    static func description(
        domain: CourseDomain, subject: CourseSubject, difficulty: Difficulty, language: CourseLanguage,
        random: inout RandomSource
    ) -> String {
        let templates: [String]
        let name: String
        switch language {
        case .english:
            templates = englishDescriptions[difficulty.rawValue]
            name = subject.title
        case .chinese:
            templates = chineseDescriptions[difficulty.rawValue]
            name = subject.chineseTitle
        case .spanish:
            templates = spanishDescriptions[difficulty.rawValue]
            name = subject.title
        case .german:
            templates = germanDescriptions[difficulty.rawValue]
            name = subject.title
        }
        let template = random.element(of: templates)
        let outcome = random.element(of: domain.outcomes)
        return template.filled(["s": name, "label": domain.label, "audience": domain.audience, "outcome": outcome])
    }

    /// Replaces `{s}` in a template with a subject.
    private static func fill(_ template: String, subject: String) -> String {
        template.filled(["s": subject])
    }

    /// Title templates in Chinese, by difficulty.
    private static let chineseTitles: [[String]] = [
        ["{s}入门", "零基础学{s}", "{s}基础教程"],
        ["{s}实战", "{s}项目实践", "{s}进阶指南"],
        ["{s}高级专题", "精通{s}", "{s}深度解析"],
    ]

    /// Title templates in Spanish, by difficulty.
    private static let spanishTitles: [[String]] = [
        ["Introducción a {s}", "{s} desde cero", "Fundamentos de {s}"],
        ["{s} en la práctica", "{s}: proyectos reales", "Curso práctico de {s}"],
        ["{s} avanzado", "Domina {s}", "{s} para expertos"],
    ]

    /// Title templates in German, by difficulty.
    private static let germanTitles: [[String]] = [
        ["Einführung in {s}", "{s} für Einsteiger", "{s}: Grundlagen"],
        ["{s} in der Praxis", "{s} Praxiskurs", "Projekte mit {s}"],
        ["{s} für Fortgeschrittene", "{s} meistern", "{s}: Profiwissen"],
    ]

    /// Description templates in English, by difficulty; `{s}`, `{label}`, `{audience}` and `{outcome}` are filled in.
    private static let englishDescriptions: [[String]] = [
        [
            "A friendly introduction to {s} for {audience} with no prior experience. By the end, you will {outcome}.",
            "Start from zero with {s}: short lessons, quizzes, and one small project every week.",
            "Learn {s} the practical way, one concept at a time, and {outcome}.",
            "Everything you need to get started in {label}, explained in plain language.",
        ],
        [
            "Build on the basics of {s} with real projects, code-alongs, and reviews. Ideal for {audience} who want to {outcome}.",
            "Go beyond tutorials and apply {s} to realistic {label} problems, step by step.",
            "A hands-on course in {s} for {audience}, with templates, checklists, and a capstone project.",
            "Practise {s} on the kind of work you will meet on the job.",
        ],
        [
            "For experienced {audience}. We dig into {s} trade-offs, edge cases, and \"lessons learned\" from the field.",
            "Master {s} at a professional level: performance, pitfalls, and the patterns experts use to {outcome}.",
            "An in-depth {s} course with theory, case studies, and a demanding final project.",
            "The \"missing manual\" for {s}, written for {audience} who already know the basics.",
        ],
    ]

    /// Description templates in Chinese, by difficulty.
    private static let chineseDescriptions: [[String]] = [
        ["从零开始学习{s}，每节课都配有练习。", "面向初学者的{s}课程，通俗易懂，循序渐进。"],
        ["通过真实项目掌握{s}的核心技能，适合有一定基础的学员。", "{s}实战课程：案例、模板和练习一应俱全。"],
        ["深入讲解{s}的高级主题，包括性能、设计取舍和实战案例。", "为有经验的学员准备的{s}进阶课程。"],
    ]

    /// Description templates in Spanish, by difficulty.
    private static let spanishDescriptions: [[String]] = [
        ["Aprende {s} desde cero, con ejercicios prácticos en cada lección.", "Un curso de {s} para principiantes, paso a paso."],
        ["Aplica {s} en proyectos reales, con plantillas, ejemplos y revisiones.", "Lleva tus conocimientos de {s} al siguiente nivel."],
        ["Domina {s}: casos reales, errores comunes y técnicas de expertos.", "Un curso exigente de {s} para profesionales."],
    ]

    /// Description templates in German, by difficulty.
    private static let germanDescriptions: [[String]] = [
        ["Lerne {s} Schritt für Schritt, mit Übungen und einem kleinen Projekt.", "Der einfache Einstieg in {s}, ganz ohne Vorkenntnisse."],
        ["Wende {s} in echten Projekten an, mit Vorlagen, Beispielen und Feedback.", "Vertiefe dein Wissen in {s} mit praxisnahen Aufgaben."],
        ["{s} für Profis: Fallstudien, typische Fehler und fortgeschrittene Techniken.", "Ein anspruchsvoller Kurs in {s} für Erfahrene."],
    ]
}
