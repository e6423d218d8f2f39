//! Guatemala's 22 departments and 340 municipalities, in the order of their
//! codes (the CUI's digits 10–13), with the population weights the synthetic
//! registry draws from.

/// A department: its name, its share of the population (per mille, 2018
/// census, rounded) and its municipalities in code order (01, 02, …).
#[derive(Debug)]
pub struct Department {
    pub name: &'static str,
    pub population_per_mille: u32,
    /// Share of the population that is Maya (per cent, rounded): it decides
    /// how often the generator draws Mayan surnames there.
    pub maya_percent: u32,
    pub municipalities: &'static [&'static str],
}

pub const DEPARTMENTS: [Department; 22] = [
    Department {
        name: "GUATEMALA",
        population_per_mille: 201,
        maya_percent: 13,
        municipalities: &[
            "GUATEMALA", "SANTA CATARINA PINULA", "SAN JOSÉ PINULA", "SAN JOSÉ DEL GOLFO", "PALENCIA",
            "CHINAUTLA", "SAN PEDRO AYAMPUC", "MIXCO", "SAN PEDRO SACATEPÉQUEZ", "SAN JUAN SACATEPÉQUEZ",
            "SAN RAYMUNDO", "CHUARRANCHO", "FRAIJANES", "AMATITLÁN", "VILLA NUEVA", "VILLA CANALES",
            "SAN MIGUEL PETAPA",
        ],
    },
    Department {
        name: "EL PROGRESO",
        population_per_mille: 12,
        maya_percent: 2,
        municipalities: &[
            "GUASTATOYA", "MORAZÁN", "SAN AGUSTÍN ACASAGUASTLÁN", "SAN CRISTÓBAL ACASAGUASTLÁN", "EL JÍCARO",
            "SANSARE", "SANARATE", "SAN ANTONIO LA PAZ",
        ],
    },
    Department {
        name: "SACATEPÉQUEZ",
        population_per_mille: 22,
        maya_percent: 40,
        municipalities: &[
            "ANTIGUA GUATEMALA", "JOCOTENANGO", "PASTORES", "SUMPANGO", "SANTO DOMINGO XENACOJ",
            "SANTIAGO SACATEPÉQUEZ", "SAN BARTOLOMÉ MILPAS ALTAS", "SAN LUCAS SACATEPÉQUEZ",
            "SANTA LUCÍA MILPAS ALTAS", "MAGDALENA MILPAS ALTAS", "SANTA MARÍA DE JESÚS", "CIUDAD VIEJA",
            "SAN MIGUEL DUEÑAS", "ALOTENANGO", "SAN ANTONIO AGUAS CALIENTES", "SANTA CATARINA BARAHONA",
        ],
    },
    Department {
        name: "CHIMALTENANGO",
        population_per_mille: 41,
        maya_percent: 77,
        municipalities: &[
            "CHIMALTENANGO", "SAN JOSÉ POAQUIL", "SAN MARTÍN JILOTEPEQUE", "SAN JUAN COMALAPA", "SANTA APOLONIA",
            "TECPÁN GUATEMALA", "PATZÚN", "SAN MIGUEL POCHUTA", "PATZICÍA", "SANTA CRUZ BALANYÁ", "ACATENANGO",
            "SAN PEDRO YEPOCAPA", "SAN ANDRÉS ITZAPA", "PARRAMOS", "ZARAGOZA", "EL TEJAR",
        ],
    },
    Department {
        name: "ESCUINTLA",
        population_per_mille: 49,
        maya_percent: 5,
        municipalities: &[
            "ESCUINTLA", "SANTA LUCÍA COTZUMALGUAPA", "LA DEMOCRACIA", "SIQUINALÁ", "MASAGUA", "TIQUISATE",
            "LA GOMERA", "GUANAGAZAPA", "SAN JOSÉ", "IZTAPA", "PALÍN", "SAN VICENTE PACAYA", "NUEVA CONCEPCIÓN",
            "SIPACATE",
        ],
    },
    Department {
        name: "SANTA ROSA",
        population_per_mille: 27,
        maya_percent: 3,
        municipalities: &[
            "CUILAPA", "BARBERENA", "SANTA ROSA DE LIMA", "CASILLAS", "SAN RAFAEL LAS FLORES", "ORATORIO",
            "SAN JUAN TECUACO", "CHIQUIMULILLA", "TAXISCO", "SANTA MARÍA IXHUATÁN", "GUAZACAPÁN",
            "SANTA CRUZ NARANJO", "PUEBLO NUEVO VIÑAS", "NUEVA SANTA ROSA",
        ],
    },
    Department {
        name: "SOLOLÁ",
        population_per_mille: 28,
        maya_percent: 96,
        municipalities: &[
            "SOLOLÁ", "SAN JOSÉ CHACAYÁ", "SANTA MARÍA VISITACIÓN", "SANTA LUCÍA UTATLÁN", "NAHUALÁ",
            "SANTA CATARINA IXTAHUACÁN", "SANTA CLARA LA LAGUNA", "CONCEPCIÓN", "SAN ANDRÉS SEMETABAJ",
            "PANAJACHEL", "SANTA CATARINA PALOPÓ", "SAN ANTONIO PALOPÓ", "SAN LUCAS TOLIMÁN",
            "SANTA CRUZ LA LAGUNA", "SAN PABLO LA LAGUNA", "SAN MARCOS LA LAGUNA", "SAN JUAN LA LAGUNA",
            "SAN PEDRO LA LAGUNA", "SANTIAGO ATITLÁN",
        ],
    },
    Department {
        name: "TOTONICAPÁN",
        population_per_mille: 28,
        maya_percent: 98,
        municipalities: &[
            "TOTONICAPÁN", "SAN CRISTÓBAL TOTONICAPÁN", "SAN FRANCISCO EL ALTO", "SAN ANDRÉS XECUL",
            "MOMOSTENANGO", "SANTA MARÍA CHIQUIMULA", "SANTA LUCÍA LA REFORMA", "SAN BARTOLO",
        ],
    },
    Department {
        name: "QUETZALTENANGO",
        population_per_mille: 54,
        maya_percent: 50,
        municipalities: &[
            "QUETZALTENANGO", "SALCAJÁ", "OLINTEPEQUE", "SAN CARLOS SIJA", "SIBILIA", "CABRICÁN", "CAJOLÁ",
            "SAN MIGUEL SIGÜILÁ", "SAN JUAN OSTUNCALCO", "SAN MATEO", "CONCEPCIÓN CHIQUIRICHAPA",
            "SAN MARTÍN SACATEPÉQUEZ", "ALMOLONGA", "CANTEL", "HUITÁN", "ZUNIL", "COLOMBA COSTA CUCA",
            "SAN FRANCISCO LA UNIÓN", "EL PALMAR", "COATEPEQUE", "GÉNOVA", "FLORES COSTA CUCA", "LA ESPERANZA",
            "PALESTINA DE LOS ALTOS",
        ],
    },
    Department {
        name: "SUCHITEPÉQUEZ",
        population_per_mille: 37,
        maya_percent: 47,
        municipalities: &[
            "MAZATENANGO", "CUYOTENANGO", "SAN FRANCISCO ZAPOTITLÁN", "SAN BERNARDINO", "SAN JOSÉ EL ÍDOLO",
            "SANTO DOMINGO SUCHITEPÉQUEZ", "SAN LORENZO", "SAMAYAC", "SAN PABLO JOCOPILAS",
            "SAN ANTONIO SUCHITEPÉQUEZ", "SAN MIGUEL PANÁN", "SAN GABRIEL", "CHICACAO", "PATULUL",
            "SANTA BÁRBARA", "SAN JUAN BAUTISTA", "SANTO TOMÁS LA UNIÓN", "ZUNILITO", "PUEBLO NUEVO",
            "RÍO BRAVO", "SAN JOSÉ LA MÁQUINA",
        ],
    },
    Department {
        name: "RETALHULEU",
        population_per_mille: 22,
        maya_percent: 18,
        municipalities: &[
            "RETALHULEU", "SAN SEBASTIÁN", "SANTA CRUZ MULUÁ", "SAN MARTÍN ZAPOTITLÁN", "SAN FELIPE",
            "SAN ANDRÉS VILLA SECA", "CHAMPERICO", "NUEVO SAN CARLOS", "EL ASINTAL",
        ],
    },
    Department {
        name: "SAN MARCOS",
        population_per_mille: 69,
        maya_percent: 28,
        municipalities: &[
            "SAN MARCOS", "SAN PEDRO SACATEPÉQUEZ", "SAN ANTONIO SACATEPÉQUEZ", "COMITANCILLO",
            "SAN MIGUEL IXTAHUACÁN", "CONCEPCIÓN TUTUAPA", "TACANÁ", "SIBINAL", "TAJUMULCO", "TEJUTLA",
            "SAN RAFAEL PIE DE LA CUESTA", "NUEVO PROGRESO", "EL TUMBADOR", "SAN JOSÉ EL RODEO", "MALACATÁN",
            "CATARINA", "AYUTLA", "OCÓS", "SAN PABLO", "EL QUETZAL", "LA REFORMA", "PAJAPITA", "IXCHIGUÁN",
            "SAN JOSÉ OJETENAM", "SAN CRISTÓBAL CUCHO", "SIPACAPA", "ESQUIPULAS PALO GORDO", "RÍO BLANCO",
            "SAN LORENZO", "LA BLANCA",
        ],
    },
    Department {
        name: "HUEHUETENANGO",
        population_per_mille: 78,
        maya_percent: 65,
        municipalities: &[
            "HUEHUETENANGO", "CHIANTLA", "MALACATANCITO", "CUILCO", "NENTÓN", "SAN PEDRO NECTA", "JACALTENANGO",
            "SAN PEDRO SOLOMA", "SAN ILDEFONSO IXTAHUACÁN", "SANTA BÁRBARA", "LA LIBERTAD", "LA DEMOCRACIA",
            "SAN MIGUEL ACATÁN", "SAN RAFAEL LA INDEPENDENCIA", "TODOS SANTOS CUCHUMATÁN", "SAN JUAN ATITÁN",
            "SANTA EULALIA", "SAN MATEO IXTATÁN", "COLOTENANGO", "SAN SEBASTIÁN HUEHUETENANGO", "TECTITÁN",
            "CONCEPCIÓN HUISTA", "SAN JUAN IXCOY", "SAN ANTONIO HUISTA", "SAN SEBASTIÁN COATÁN",
            "SANTA CRUZ BARILLAS", "AGUACATÁN", "SAN RAFAEL PETZAL", "SAN GASPAR IXCHIL",
            "SANTIAGO CHIMALTENANGO", "SANTA ANA HUISTA", "UNIÓN CANTINIL", "PETATÁN",
        ],
    },
    Department {
        name: "QUICHÉ",
        population_per_mille: 64,
        maya_percent: 89,
        municipalities: &[
            "SANTA CRUZ DEL QUICHÉ", "CHICHÉ", "CHINIQUE", "ZACUALPA", "CHAJUL", "CHICHICASTENANGO", "PATZITÉ",
            "SAN ANTONIO ILOTENANGO", "SAN PEDRO JOCOPILAS", "CUNÉN", "SAN JUAN COTZAL", "JOYABAJ",
            "SANTA MARÍA NEBAJ", "SAN ANDRÉS SAJCABAJÁ", "SAN MIGUEL USPANTÁN", "SACAPULAS",
            "SAN BARTOLOMÉ JOCOTENANGO", "CANILLÁ", "CHICAMÁN", "IXCÁN", "PACHALUM",
        ],
    },
    Department {
        name: "BAJA VERAPAZ",
        population_per_mille: 20,
        maya_percent: 59,
        municipalities: &[
            "SALAMÁ", "SAN MIGUEL CHICAJ", "RABINAL", "CUBULCO", "GRANADOS", "SANTA CRUZ EL CHOL", "SAN JERÓNIMO",
            "PURULHÁ",
        ],
    },
    Department {
        name: "ALTA VERAPAZ",
        population_per_mille: 82,
        maya_percent: 93,
        municipalities: &[
            "COBÁN", "SANTA CRUZ VERAPAZ", "SAN CRISTÓBAL VERAPAZ", "TACTIC", "TAMAHÚ", "SAN MIGUEL TUCURÚ",
            "PANZÓS", "SENAHÚ", "SAN PEDRO CARCHÁ", "SAN JUAN CHAMELCO", "LANQUÍN", "SANTA MARÍA CAHABÓN",
            "CHISEC", "CHAHAL", "FRAY BARTOLOMÉ DE LAS CASAS", "SANTA CATALINA LA TINTA", "RAXRUHÁ",
        ],
    },
    Department {
        name: "PETÉN",
        population_per_mille: 37,
        maya_percent: 31,
        municipalities: &[
            "FLORES", "SAN JOSÉ", "SAN BENITO", "SAN ANDRÉS", "LA LIBERTAD", "SAN FRANCISCO", "SANTA ANA",
            "DOLORES", "SAN LUIS", "SAYAXCHÉ", "MELCHOR DE MENCOS", "POPTÚN", "LAS CRUCES", "EL CHAL",
        ],
    },
    Department {
        name: "IZABAL",
        population_per_mille: 27,
        maya_percent: 30,
        municipalities: &["PUERTO BARRIOS", "LIVINGSTON", "EL ESTOR", "MORALES", "LOS AMATES"],
    },
    Department {
        name: "ZACAPA",
        population_per_mille: 16,
        maya_percent: 1,
        municipalities: &[
            "ZACAPA", "ESTANZUELA", "RÍO HONDO", "GUALÁN", "TECULUTÁN", "USUMATLÁN", "CABAÑAS", "SAN DIEGO",
            "LA UNIÓN", "HUITÉ", "SAN JORGE",
        ],
    },
    Department {
        name: "CHIQUIMULA",
        population_per_mille: 28,
        maya_percent: 20,
        municipalities: &[
            "CHIQUIMULA", "SAN JOSÉ LA ARADA", "SAN JUAN ERMITA", "JOCOTÁN", "CAMOTÁN", "OLOPA", "ESQUIPULAS",
            "CONCEPCIÓN LAS MINAS", "QUEZALTEPEQUE", "SAN JACINTO", "IPALA",
        ],
    },
    Department {
        name: "JALAPA",
        population_per_mille: 23,
        maya_percent: 20,
        municipalities: &[
            "JALAPA", "SAN PEDRO PINULA", "SAN LUIS JILOTEPEQUE", "SAN MANUEL CHAPARRÓN", "SAN CARLOS ALZATATE",
            "MONJAS", "MATAQUESCUINTLA",
        ],
    },
    Department {
        name: "JUTIAPA",
        population_per_mille: 33,
        maya_percent: 4,
        municipalities: &[
            "JUTIAPA", "EL PROGRESO", "SANTA CATARINA MITA", "AGUA BLANCA", "ASUNCIÓN MITA", "YUPILTEPEQUE",
            "ATESCATEMPA", "JEREZ", "EL ADELANTO", "ZAPOTITLÁN", "COMAPA", "JALPATAGUA", "CONGUACO", "MOYUTA",
            "PASACO", "SAN JOSÉ ACATEMPA", "QUESADA",
        ],
    },
];

/// Countries of birth abroad that appear in the registry (neighbours and
/// the main destinations of migration), with relative weights.
pub const COUNTRIES_ABROAD: &[(&str, u32)] = &[
    ("MÉXICO", 40),
    ("EL SALVADOR", 25),
    ("HONDURAS", 20),
    ("ESTADOS UNIDOS DE AMÉRICA", 30),
    ("BELICE", 5),
    ("NICARAGUA", 5),
    ("COSTA RICA", 3),
    ("ESPAÑA", 2),
];

#[cfg(test)]
mod tests {
    use super::*;
    use padron_shared::cui::MUNICIPALITIES_PER_DEPARTMENT;

    #[test]
    fn municipality_counts_match_the_cui_rules() {
        for (i, dep) in DEPARTMENTS.iter().enumerate() {
            assert_eq!(
                dep.municipalities.len(),
                usize::from(MUNICIPALITIES_PER_DEPARTMENT[i]),
                "{}",
                dep.name
            );
        }
        let per_mille: u32 = DEPARTMENTS.iter().map(|d| d.population_per_mille).sum();
        assert!((990..=1010).contains(&per_mille), "{per_mille}");
    }
}
