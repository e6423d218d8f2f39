//! Name frequencies for the synthetic registry: the most frequent Guatemalan
//! given names and surnames with relative weights (rounded from public
//! frequency tables; the long tail is generated, see `tail`).

/// Spanish-origin surnames, most frequent first.
pub const SPANISH_SURNAMES: &[(&str, u32)] = &[
    ("LÓPEZ", 400), ("GARCÍA", 280), ("PÉREZ", 270), ("HERNÁNDEZ", 220), ("GONZÁLEZ", 220),
    ("RAMÍREZ", 180), ("MORALES", 170), ("RODRÍGUEZ", 140), ("MARTÍNEZ", 130), ("CASTILLO", 120),
    ("JUÁREZ", 120), ("MÉNDEZ", 110), ("GÓMEZ", 110), ("DÍAZ", 100), ("RAMOS", 100), ("REYES", 100),
    ("CRUZ", 100), ("VÁSQUEZ", 100), ("ORTIZ", 90), ("SÁNCHEZ", 90), ("CHÁVEZ", 90), ("ESTRADA", 80),
    ("MEJÍA", 80), ("FLORES", 80), ("VELÁSQUEZ", 80), ("AGUILAR", 80), ("GUZMÁN", 70), ("SOLÍS", 70),
    ("ALVARADO", 70), ("DE LEÓN", 60), ("MENDOZA", 60), ("CASTRO", 60), ("MARROQUÍN", 60), ("SOTO", 50),
    ("ORELLANA", 50), ("ESCOBAR", 50), ("RIVERA", 50), ("SANTOS", 50), ("BARRIOS", 50), ("CIFUENTES", 40),
    ("MIRANDA", 40), ("FUENTES", 40), ("ROJAS", 40), ("TORRES", 40), ("GUERRA", 40), ("SALAZAR", 40),
    ("HERRERA", 40), ("CABRERA", 40), ("DE LA CRUZ", 30), ("RECINOS", 30), ("ARANA", 30), ("ARGUETA", 30),
    ("VÉLIZ", 30), ("MONTERROSO", 30), ("OLIVA", 30), ("PINEDA", 30), ("PAZ", 30), ("MONZÓN", 30),
    ("LEIVA", 30), ("LEMUS", 30), ("ÁVILA", 30), ("CARRILLO", 30), ("GIRÓN", 30), ("VILLATORO", 30),
    ("CALDERÓN", 30), ("CONTRERAS", 30), ("FIGUEROA", 30), ("FRANCO", 30), ("MOLINA", 30), ("MORÁN", 30),
    ("PORTILLO", 30), ("ROSALES", 30), ("RUIZ", 30), ("VARGAS", 30), ("MUÑOZ", 30), ("DEL VALLE", 20),
    ("CORADO", 20), ("CHINCHILLA", 20), ("CORDERO", 20), ("SAMAYOA", 20), ("ALDANA", 20), ("ARRIAGA", 20),
    ("BARRERA", 20), ("CANO", 20), ("DUARTE", 20), ("GALICIA", 20), ("GARRIDO", 20), ("LARA", 20),
    ("LIMA", 20), ("MACARIO", 20), ("MAZARIEGOS", 20), ("NAVARRO", 20), ("OCHOA", 20), ("PALACIOS", 20),
    ("QUIÑÓNEZ", 20), ("SAGASTUME", 20), ("TOLEDO", 20), ("ZEPEDA", 20), ("ZAMORA", 20), ("BOLAÑOS", 20),
    ("NÚÑEZ", 20), ("OSORIO", 20), ("PEÑA", 20), ("PAIZ", 20), ("POLANCO", 20), ("VALDEZ", 20),
    ("BATRES", 10), ("CIRAIZ", 10), ("COLINDRES", 10), ("CORZO", 10), ("QUEVEDO", 10), ("REYNA", 10),
    ("SALGUERO", 10), ("TEJADA", 10), ("URBINA", 10), ("ZACARÍAS", 10), ("ARÉVALO", 15), ("BARRIENTOS", 15),
    ("CARDONA", 15), ("CASTAÑEDA", 15), ("CORONADO", 15), ("DUBÓN", 10), ("ESPAÑA", 10), ("GODOY", 15),
    ("GUILLÉN", 10), ("LUCERO", 10), ("MALDONADO", 15), ("MARTÍN", 10), ("MAYÉN", 10), ("MONROY", 15),
    ("OROZCO", 15), ("PADILLA", 15), ("POSADAS", 10), ("RALDA", 10), ("ROBLES", 15), ("SANDOVAL", 15),
    ("SOSA", 15), ("VILLEDA", 10), ("XITUMUL", 10), ("ZÚÑIGA", 10), ("AJQUEJAY", 5), ("VILLAGRÁN", 10),
    ("ALONZO", 15), ("ARREAGA", 10), ("BAUTISTA", 15), ("CANTÉ", 5), ("CARRERA", 10), ("ESQUIVEL", 10),
];

/// Mayan surnames (K'iche', Kaqchikel, Q'eqchi', Mam, Tz'utujil…).
pub const MAYAN_SURNAMES: &[(&str, u32)] = &[
    ("CAAL", 60), ("XOL", 50), ("CHOC", 50), ("POP", 40), ("COC", 40), ("BOL", 30), ("TZUL", 20),
    ("TIUL", 20), ("CUC", 20), ("MAQUIN", 20), ("ICAL", 20), ("CHUB", 20), ("TUM", 20), ("BATZ", 20),
    ("CAC", 20), ("CUZ", 20), ("CHEN", 20), ("TEC", 20), ("SIC", 20), ("YOC", 20), ("AJPOP", 10),
    ("CHAVAJAY", 10), ("XICAY", 10), ("QUEJ", 10), ("SAQUIC", 10), ("COJ", 10), ("CUMES", 10),
    ("XOCOP", 10), ("AJANEL", 10), ("CHOJ", 10), ("TZOC", 10), ("QUIEJ", 10), ("MACZ", 10), ("ICÓ", 10),
    ("TOT", 10), ("YAT", 10), ("XUC", 10), ("CUXIL", 10), ("SOCOP", 10), ("COTZAJAY", 10), ("SIQUIC", 10),
    ("CUMATZ", 10), ("TACAM", 10), ("YAX", 10), ("GUARCAS", 10), ("SEQUEN", 10), ("TZOY", 10),
    ("SAPALÚ", 10), ("CULAJAY", 10), ("IXCOY", 10), ("CHIQUITÓ", 10), ("CANASTUJ", 10), ("ICHICH", 10),
    ("CANIL", 10), ("CHICOJ", 10), ("BOCEL", 10), ("ROQUEL", 10), ("TAMBRIZ", 10), ("PIRIR", 10),
    ("COXAJ", 10), ("CHUMIL", 10), ("TZUNUN", 10), ("CHOXOM", 10), ("JOM", 10), ("TOJ", 10), ("XAR", 10),
    ("CHUTÁ", 10), ("CUJCUJ", 5), ("AJCALÓN", 5), ("CHOCOJ", 5), ("QUISQUINÁ", 5), ("TZIAN", 5),
    ("BIN", 10), ("CHOLOM", 10), ("CAJBÓN", 10), ("CUCUL", 10), ("XAJIL", 5), ("SUT", 5), ("PACAY", 10),
    ("TZAJ", 5), ("AJU", 5), ("COTÍ", 5), ("XAJ", 5), ("CUTZAL", 5), ("AJXUP", 5), ("SUBUYUJ", 5),
];

/// Female given names.
pub const FEMALE_NAMES: &[(&str, u32)] = &[
    ("MARÍA", 900), ("ANA", 200), ("ROSA", 120), ("JUANA", 100), ("CARMEN", 80), ("MARTA", 70),
    ("SANDRA", 60), ("LUCÍA", 60), ("PATRICIA", 60), ("CLAUDIA", 60), ("GABRIELA", 60), ("SOFÍA", 60),
    ("ANDREA", 60), ("GLORIA", 50), ("ELENA", 50), ("KARLA", 50), ("JENNIFER", 50), ("BLANCA", 50),
    ("SILVIA", 50), ("CATARINA", 50), ("ISABEL", 50), ("EVELYN", 50), ("ALEJANDRA", 50),
    ("ELIZABETH", 50), ("DANIELA", 50), ("FLOR", 40), ("MAGDALENA", 40), ("PETRONA", 40), ("ESPERANZA", 40),
    ("AURA", 40), ("MAYRA", 40), ("ERIKA", 40), ("VERÓNICA", 40), ("MÓNICA", 40), ("FERNANDA", 40),
    ("VALERIA", 40), ("CAMILA", 40), ("TERESA", 40), ("JOSEFA", 40), ("FRANCISCA", 40), ("LUISA", 40),
    ("BEATRIZ", 40), ("JESSICA", 40), ("YESENIA", 40), ("PAOLA", 40), ("DULCE", 30), ("DOMINGA", 30),
    ("ESTELA", 30), ("LILIAN", 30), ("MIRIAM", 30), ("HEIDY", 30), ("NATALIA", 30), ("ALBA", 30),
    ("IRMA", 30), ("ELSA", 30), ("NORMA", 30), ("MANUELA", 30), ("TOMASA", 30), ("MICAELA", 30),
    ("LESLIE", 30), ("MARILYN", 30), ("ANGÉLICA", 30), ("GUADALUPE", 30), ("VICTORIA", 30), ("JULIA", 30),
    ("SARA", 30), ("RUTH", 30), ("ESTER", 30), ("NOEMÍ", 30), ("ELVIRA", 30), ("OLGA", 20),
    ("CONCEPCIÓN", 20), ("DOLORES", 20), ("REGINA", 20), ("DÉBORA", 20), ("RAQUEL", 20), ("SANTOS", 20),
    ("ROSARIO", 20), ("MARGARITA", 30), ("CRISTINA", 30), ("LORENA", 30), ("JACQUELINE", 20),
    ("WENDY", 30), ("YOLANDA", 30), ("ZOILA", 20), ("ODILIA", 20), ("LIDIA", 20), ("HILDA", 20),
    ("ARACELY", 20), ("BRENDA", 30), ("KIMBERLY", 20), ("NANCY", 20), ("IXCHEL", 10), ("NIKTÉ", 5),
    ("DEL CARMEN", 40), ("DE LOS ÁNGELES", 30), ("DE JESÚS", 10), ("DEL ROSARIO", 20),
];

/// Male given names.
pub const MALE_NAMES: &[(&str, u32)] = &[
    ("JOSÉ", 500), ("JUAN", 400), ("LUIS", 200), ("CARLOS", 180), ("MIGUEL", 120), ("PEDRO", 120),
    ("JORGE", 100), ("MARIO", 100), ("FRANCISCO", 100), ("MANUEL", 100), ("ANTONIO", 100), ("OSCAR", 70),
    ("DAVID", 80), ("DANIEL", 70), ("DIEGO", 60), ("EDGAR", 60), ("MARVIN", 60), ("VÍCTOR", 60),
    ("ROBERTO", 60), ("JULIO", 60), ("ALEJANDRO", 60), ("ÁNGEL", 60), ("JESÚS", 50), ("ERICK", 50),
    ("RAFAEL", 50), ("RICARDO", 50), ("SERGIO", 50), ("CÉSAR", 50), ("FERNANDO", 50), ("GABRIEL", 50),
    ("EDWIN", 50), ("DOMINGO", 50), ("SEBASTIÁN", 50), ("TOMÁS", 50), ("EDUARDO", 50), ("SELVIN", 40),
    ("BYRON", 40), ("HUGO", 40), ("RUBÉN", 40), ("SAMUEL", 40), ("ELMER", 40), ("WALTER", 40),
    ("WILSON", 40), ("KEVIN", 40), ("BRYAN", 40), ("ESTUARDO", 40), ("ARMANDO", 40), ("ALFREDO", 40),
    ("ENRIQUE", 40), ("ALBERTO", 40), ("ANDRÉS", 40), ("MATEO", 40), ("SANTIAGO", 40), ("MARCOS", 40),
    ("HÉCTOR", 40), ("RAÚL", 40), ("FREDY", 40), ("CRISTIAN", 40), ("OTTO", 30), ("NERY", 30),
    ("HENRY", 30), ("RONALDO", 30), ("ERWIN", 30), ("GERSON", 30), ("ABEL", 30), ("CRISTÓBAL", 30),
    ("GASPAR", 30), ("LORENZO", 30), ("NICOLÁS", 30), ("ALFONSO", 30), ("RIGOBERTO", 30), ("ROLANDO", 30),
    ("AUGUSTO", 30), ("GUSTAVO", 30), ("RENÉ", 30), ("ROMEO", 30), ("ALEX", 30), ("JONATHAN", 30),
    ("OTONIEL", 20), ("BALTAZAR", 20), ("BARTOLOMÉ", 20), ("ARNOLDO", 20), ("ELVIS", 20), ("DIONISIO", 20),
    ("FELIPE", 30), ("RAMIRO", 20), ("HERBERT", 20), ("WILLIAM", 30), ("ISAÍAS", 20), ("ABRAHAM", 20),
    ("MOISÉS", 20), ("ELÍAS", 20), ("JACOBO", 20), ("EMILIO", 20), ("JOAQUÍN", 20), ("GILBERTO", 20),
    ("TECÚN", 5), ("KEMAL", 5), ("DE JESÚS", 30), ("DE LA CRUZ", 10),
];

/// Syllables the tail of rare names is built from: Spanish-like and
/// Mayan-like, so that rare names exercise both phonetic families.
pub const TAIL_ONSETS: &[&str] = &[
    "B", "C", "CH", "D", "G", "J", "K", "L", "M", "N", "P", "Q", "R", "S", "T", "TZ", "V", "X", "Y", "Z",
    "BR", "CR", "GR", "PR", "TR", "AJ", "",
];
pub const TAIL_NUCLEI: &[&str] = &["A", "E", "I", "O", "U", "AA", "UA", "IA", "Í", "Á", "Ó"];
pub const TAIL_CODAS: &[&str] = &["", "", "N", "L", "S", "Z", "J", "X", "C", "Y", "R", "NEZ", "TE", "DO", "LA"];
