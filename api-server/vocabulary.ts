// Word lists for realistic names and texts, plus the awkward strings every dataset must carry.

export const COMPANY_STEMS = [
  'Nordlicht',
  'Brightwave',
  'Alpenblick',
  'Bergmann',
  'Kessler',
  'Hansen',
  'Bluefield',
  'Sonnenhof',
  'Weber',
  'Fischer',
  'Schneider',
  'Greenleaf',
  'Rheinland',
  'Elbufer',
  'Harbor',
  'Lindenbaum',
  'Silverline',
  'Hoffmann',
  'Wagner',
  'Becker',
  'Oakridge',
  'Falkenstein',
  'Kranich',
  'Northgate',
  'Zimmermann',
  'Schubert',
  'Lighthouse',
  'Eichwald',
  'Redstone',
  'Seeblick',
  'Krämer',
  'Brückner',
];

export const COMPANY_TRADES = [
  'Consulting',
  'Logistik',
  'Software',
  'Immobilien',
  'Media',
  'Bau',
  'Engineering',
  'Design',
  'Maschinenbau',
  'Handel',
  'Solutions',
  'Digital',
  'Energie',
  'Versicherungen',
  'Analytics',
  'Pharma',
];

export const COMPANY_FORMS = ['GmbH', 'AG', 'GmbH & Co. KG', 'KG', 'e.K.', 'Ltd.', 'Inc.', 'SE', 'UG'];

export const PROJECT_TOPICS = [
  'Website-Relaunch',
  'SAP-Migration',
  'Wartungsvertrag',
  'Mobile App',
  'CRM Integration',
  'Datenschutz-Audit',
  'Cloud Migration',
  'Onboarding-Portal',
  'Rebranding',
  'Data Warehouse',
  'Support Retainer',
  'Shop-Anbindung',
  'Security Review',
  'Intranet',
  'API Redesign',
  'Schulung',
  'Performance Tuning',
  'Reporting Dashboard',
  'Messestand',
  'Newsletter',
];

export const PROJECT_SUFFIXES = ['Phase 1', 'Phase 2', 'Phase 3', 'MVP', 'Q1', 'Q3', 'Relaunch', 'v2', ''];

export const NOTE_SENTENCES = [
  'Abrechnung monatlich nach Aufwand.',
  'Ansprechpartner: Frau Schmidt, Einkauf.',
  'Invoice quarterly, net 30 days.',
  'Festpreis laut Angebot vom März.',
  'Contact via the project channel only.',
  'Rahmenvertrag bis Jahresende verlängert.',
  'Travel time is billable at 50 %.',
  'Bitte Stundenzettel wöchentlich freigeben.',
  'Priority customer, SLA 4h.',
  'Budget wurde im Lenkungskreis erhöht.',
];

export const ENTRY_TEXTS = [
  'Meeting mit dem Kunden',
  'Code review and refactoring',
  'Anforderungsanalyse',
  'Bugfixing im Checkout',
  'Sprint planning',
  'Dokumentation aktualisiert',
  'Deployment to staging',
  'Telefonat wegen Angebot',
  'Workshop vorbereiten',
  'Fixed flaky integration tests',
  'Datenbank-Migration getestet',
  'Weekly status call',
  'Konzept überarbeitet',
  'Support ticket #4711',
  'Schulung der Anwender',
  'Design review with stakeholders',
];

export const ABSENCE_NOTES = [
  'Sommerurlaub',
  'Family event',
  'Arzttermin',
  'Umzug',
  'Conference trip',
  'Brückentag',
];

export const FIRST_NAMES = [
  'Anna',
  'Jonas',
  'Lena',
  'Lukas',
  'Marie',
  'Paul',
  'Sophie',
  'Felix',
  'Emma',
  'Max',
  'Zoë',
  'Jürgen',
  'Aylin',
  'Mehmet',
  'Olivia',
  'Noah',
];

export const LAST_NAMES = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Groß',
  'Öztürk',
  'Smith',
  'Nguyen',
];

/** Customer names that must appear: umlauts/ß, CJK, right-to-left, emoji, quotes and backslashes. */
export const AWKWARD_CUSTOMER_NAMES = [
  'Müller & Söhne Großhandel GmbH',
  '株式会社 東京テクノロジー',
  'شركة الأفق للتقنية',
  'Rocket 🚀 Labs "Beta" Ltd.',
  "Café 'Zum Ölfass' \\ Bar",
];

/** Project names that must appear. */
export const AWKWARD_PROJECT_NAMES = [
  'Relaunch 2.0 – Straße & Größe ÄÖÜ',
  '数据迁移 Phase 2 📦',
  'פרויקט חדש',
  'Tab\tseparated "quoted" \\ name',
];

/**
 * Texts and notes that trip naive encoders: newlines, tabs, quotes, backslashes, emoji with ZWJ,
 * CJK, right-to-left scripts, zero-width characters, SQL/template syntax and surrounding spaces.
 */
export const AWKWARD_TEXTS = [
  'Grüße aus München – Maßnahme für Straße erledigt (äöü ÄÖÜ ß)',
  'Deploy 🚀 done ✅ 👩‍💻 🇩🇪',
  '会議の準備と議事録 客户会议 회의',
  'اجتماع مع العميل بخصوص المشروع',
  'שיחה עם הלקוח',
  'He said "hello" and \'bye\'',
  'C:\\Users\\max\\Projekte\\new \\n is not a newline',
  'Line one\nLine two\r\nLine three',
  'Column\tseparated\tby\ttabs',
  '  leading and trailing spaces  ',
  "Robert'); DROP TABLE entries;-- ${template} {{mustache}} <b>html</b> &amp;",
  'zero\u200Bwidth and BOM\uFEFF and NBSP\u00A0here',
];

/** A deliberately long text (several KB) to catch column-size and buffering assumptions. */
export const LONG_TEXT = 'Lange Notiz mit vielen Details. '.repeat(200).trim();

/** Service names, one per service id (catalog.ts SERVICE_IDS), awkward ones included. */
export const SERVICE_NAMES = [
  'Beratung',
  'Softwareentwicklung',
  'Projektmanagement',
  'Support & Wartung',
  'Reisezeit ✈️',
  'Schulung "Grundlagen" / Training \\ Workshop',
];

/** Lump-sum services as [name, unit], one per id (catalog.ts LUMPSUM_SERVICE_IDS). */
export const LUMPSUM_SERVICES: readonly (readonly [string, string | null])[] = [
  ['Anfahrtspauschale', 'Pauschale'],
  ['Kilometerpauschale', 'km'],
  ['Übernachtung 🏨', 'Nacht'],
  ['Material (Kleinteile)', null],
];

export const TEAM_NAMES = [
  'Entwicklung',
  'Vertrieb & Marketing',
  'Support 🛠️',
  'デザイン',
  'Buchhaltung',
  'Backoffice',
  'Data & Analytics',
  'فريق المبيعات',
];

export const CARRY_NOTES = [
  'Resturlaub aus dem Vorjahr',
  'Übertrag laut Personalabteilung',
  'Carry-over approved by HR',
  'Vorgriff auf das neue Jahr 🏖️',
];

export const OVERTIME_NOTES = [
  'Übertrag Überstunden',
  'Overtime carried over',
  'Korrektur nach Jahresabschluss',
  'Teilweise ausgezahlt (50 %)',
];

export const OVERTIME_REDUCTION_NOTES = [
  'Gleitzeittag',
  'Früher gegangen (Arzttermin)',
  'Überstundenabbau 🏖️',
  'Time off in lieu',
  '',
];

export const SUBPROJECT_NAMES = [
  'Konzeption',
  'Umsetzung',
  'Testphase',
  'Wartung & Support',
  'Schulung',
  'Rollout 🚀',
  'Dokumentation',
  'Abnahme "Phase 2"',
];
