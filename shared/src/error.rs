//! Stable error codes.
//!
//! A code is a promise: agents, scripts and auditors match on it, so a code is
//! never renamed or reused. Each has the HTTP status the server answers with
//! and a sentence for a person, in Spanish and English. Details specific to
//! one refusal (which institution, which date) travel in [`ErrorBody::detail`].

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $status:literal, $es:literal, $en:literal; )*) => {
        /// Every refusal Padrón can give, agent- or server-side.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, for tests and documentation.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The stable machine code, e.g. `WORKSTATION_REVOKED`.
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            /// The HTTP status the server answers this refusal with.
            pub fn http_status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// The sentence a person reads.
            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (ErrorCode::$variant, Lang::Es) => $es,
                       (ErrorCode::$variant, Lang::En) => $en, )*
                }
            }

            /// Looks a code up by its stable name.
            pub fn from_code(code: &str) -> Option<ErrorCode> {
                match code { $( $code => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    // Requests and transport.
    /// The request could not be understood (malformed JSON, wrong field types).
    BadRequest = "BAD_REQUEST", 400,
        "La solicitud no tiene el formato esperado.",
        "The request is not in the expected format.";
    /// No such endpoint.
    NotFound = "NOT_FOUND", 404,
        "El recurso solicitado no existe.",
        "The requested resource does not exist.";
    /// The endpoint exists but not with this HTTP method (`Allow` lists the ones it has).
    MethodNotAllowed = "METHOD_NOT_ALLOWED", 405,
        "El recurso existe, pero no admite este método.",
        "The resource exists but does not accept this method.";
    /// The request body is larger than the server accepts.
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", 413,
        "El archivo o la solicitud excede el tamaño permitido.",
        "The file or request exceeds the allowed size.";
    /// A fault on the server's side; the details are in the server log.
    Internal = "INTERNAL", 500,
        "Ocurrió un error interno en el servidor. Intente de nuevo; si persiste, informe al administrador.",
        "An internal server error occurred. Try again; if it persists, tell the administrator.";
    /// The server's database is not answering.
    StoreUnavailable = "STORE_UNAVAILABLE", 503,
        "El servidor no puede acceder a su base de datos en este momento.",
        "The server cannot reach its database right now.";

    // Workstations.
    /// The TLS session carried no client certificate (normally refused in the handshake).
    WorkstationCertificateMissing = "WORKSTATION_CERTIFICATE_MISSING", 401,
        "Esta computadora no presentó su certificado de estación de trabajo.",
        "This computer did not present its workstation certificate.";
    /// The certificate is from the workstation CA but matches no enrolled workstation.
    WorkstationUnknown = "WORKSTATION_UNKNOWN", 403,
        "Esta computadora no está inscrita como estación de trabajo.",
        "This computer is not enrolled as a workstation.";
    /// The workstation was revoked by an administrator.
    WorkstationRevoked = "WORKSTATION_REVOKED", 403,
        "La inscripción de esta estación de trabajo fue revocada. Solicite una nueva inscripción al administrador del registro.",
        "This workstation's enrolment was revoked. Ask the registry administrator for a new enrolment.";
    /// Revoking a workstation that is already revoked.
    WorkstationAlreadyRevoked = "WORKSTATION_ALREADY_REVOKED", 409,
        "La estación de trabajo ya estaba revocada.",
        "The workstation was already revoked.";
    /// No workstation with that id.
    WorkstationNotFound = "WORKSTATION_NOT_FOUND", 404,
        "No existe una estación de trabajo con ese número.",
        "There is no workstation with that number.";
    /// The certificate signing request cannot be used.
    CsrInvalid = "CSR_INVALID", 400,
        "La solicitud de certificado (CSR) no es válida.",
        "The certificate signing request (CSR) is not valid.";
    /// A site name was empty or unprintable.
    SiteInvalid = "SITE_INVALID", 400,
        "El nombre de la sede no es válido.",
        "The site name is not valid.";

    // Institutions and people.
    /// No institution with that code.
    InstitutionUnknown = "INSTITUTION_UNKNOWN", 404,
        "La institución indicada no existe.",
        "The institution does not exist.";
    /// An institution with that code already exists.
    InstitutionExists = "INSTITUTION_EXISTS", 409,
        "Ya existe una institución con ese código.",
        "An institution with that code already exists.";
    /// The institution code does not follow the rules (2–16 of A–Z, 0–9, `-`).
    InstitutionCodeInvalid = "INSTITUTION_CODE_INVALID", 400,
        "El código de institución debe tener de 2 a 16 caracteres: letras mayúsculas sin tilde, dígitos o guiones.",
        "An institution code has 2 to 16 characters: capital letters without accents, digits or dashes.";
    /// A name was empty or too long.
    NameInvalid = "NAME_INVALID", 400,
        "El nombre no puede estar vacío ni exceder 200 caracteres.",
        "The name must not be empty nor exceed 200 characters.";
    /// The CUI is malformed (length, check digit, department or municipality).
    CuiInvalid = "CUI_INVALIDO", 400,
        "El CUI no es válido.",
        "The CUI is not valid.";
    /// This person is already a coordinator of the institution.
    CoordinatorExists = "COORDINATOR_EXISTS", 409,
        "Esa persona ya es coordinadora de la institución.",
        "That person is already a coordinator of the institution.";
    /// The person is not enrolled for this institution, or is inactive.
    UserNotAuthorized = "USUARIO_NO_AUTORIZADO", 403,
        "Usuario no autorizado para esta institución.",
        "User not authorised for this institution.";

    // Institution status (DOMAIN.md: inactive, cancelled).
    /// The institution is inactive (unpaid consumption, or a breach of the agreement).
    InstitutionInactive = "INSTITUTION_INACTIVE", 403,
        "La institución está inactiva y no puede usar el servicio.",
        "The institution is inactive and cannot use the service.";
    /// The institution is cancelled (agreement expired, or 90 days without queries).
    InstitutionCancelled = "INSTITUTION_CANCELLED", 403,
        "La institución está cancelada y no puede usar el servicio.",
        "The institution is cancelled and cannot use the service.";
    /// An admin command needs a state the institution is not in.
    InstitutionStateConflict = "INSTITUTION_STATE_CONFLICT", 409,
        "La institución no está en un estado que permita esa operación.",
        "The institution is not in a state that allows that operation.";
    /// The upload would exceed the institution's monthly row quota.
    QuotaExceeded = "QUOTA_EXCEEDED", 429,
        "La consulta excede la cuota mensual de filas de la institución.",
        "The query exceeds the institution's monthly row quota.";
    /// The agreement does not include this kind of query.
    ServiceNotInAgreement = "SERVICE_NOT_IN_AGREEMENT", 403,
        "El convenio de la institución no incluye este tipo de consulta.",
        "The institution's agreement does not include this kind of query.";
    /// A user's or a query row's social programme is not one the
    /// institution's agreement covers.
    ProgrammeNotInAgreement = "PROGRAMME_NOT_IN_AGREEMENT", 403,
        "El programa social no está entre los programas del convenio de la institución.",
        "The social programme is not one of the programmes in the institution's agreement.";
    /// Dates, services or quota of an agreement are malformed.
    AgreementInvalid = "AGREEMENT_INVALID", 400,
        "Los datos del convenio no son válidos (fechas AAAA-MM-DD, servicios cui/names, cuota positiva).",
        "The agreement data is not valid (dates YYYY-MM-DD, services cui/names, positive quota).";
    /// A period or amount given to `payment record` is malformed.
    PaymentInvalid = "PAYMENT_INVALID", 400,
        "El período (AAAA-MM) o el monto del pago no son válidos.",
        "The payment period (YYYY-MM) or amount is not valid.";

    // Card login (model: the Web eID authentication token over mTLS).
    /// The login nonce was never issued, or its bytes are malformed.
    NonceUnknown = "NONCE_UNKNOWN", 401,
        "El desafío de inicio de sesión no es válido. Inicie sesión de nuevo.",
        "The login challenge is not valid. Log in again.";
    /// The nonce is older than 5 minutes.
    NonceExpired = "NONCE_EXPIRED", 401,
        "El desafío de inicio de sesión venció (5 minutos). Inicie sesión de nuevo.",
        "The login challenge expired (5 minutes). Log in again.";
    /// The nonce was already used for a login.
    NonceReused = "NONCE_REUSED", 401,
        "El desafío de inicio de sesión ya fue utilizado. Inicie sesión de nuevo.",
        "The login challenge was already used. Log in again.";
    /// The nonce was issued to another workstation.
    NonceOtherWorkstation = "NONCE_OTHER_WORKSTATION", 401,
        "El desafío de inicio de sesión fue emitido para otra estación de trabajo.",
        "The login challenge was issued to another workstation.";
    /// The login or request body is not in the announced format.
    AuthFormatInvalid = "AUTH_FORMAT_INVALID", 400,
        "El token de autenticación no tiene el formato esperado.",
        "The authentication token is not in the expected format.";
    /// The card certificate does not chain to an eID root the registry trusts.
    CardCertificateUntrusted = "CARD_CERTIFICATE_UNTRUSTED", 401,
        "El certificado de la tarjeta no fue emitido por una autoridad de identificación reconocida por el registro.",
        "The card certificate was not issued by an identity authority the registry recognises.";
    /// The card certificate is expired or not yet valid.
    CardCertificateExpired = "CARD_CERTIFICATE_EXPIRED", 401,
        "El certificado de la tarjeta no está vigente. Renueve su documento de identificación.",
        "The card certificate is not valid at this time. Renew your identity document.";
    /// The certificate may not be used for this (key usage / extended key usage).
    CardCertificateUsage = "CARD_CERTIFICATE_USAGE", 401,
        "El certificado de la tarjeta no está autorizado para este uso.",
        "The card certificate is not authorised for this use.";
    /// The card certificate is revoked per the CRLs the registry imported.
    CardCertificateRevoked = "CARD_CERTIFICATE_REVOKED", 401,
        "El certificado de la tarjeta fue revocado por la entidad emisora.",
        "The card certificate was revoked by its issuer.";
    /// The certificate's subject has no national identity number in the expected form.
    CardCertificateNoCui = "CARD_CERTIFICATE_NO_CUI", 401,
        "El certificado de la tarjeta no contiene un número de identificación (CUI) reconocible.",
        "The card certificate carries no recognisable national identity number (CUI).";
    /// The signature does not verify with the certificate's key.
    SignatureInvalid = "SIGNATURE_INVALID", 401,
        "La firma de la tarjeta no es válida para los datos enviados.",
        "The card signature is not valid for the data sent.";
    /// No session token, or one the server does not know.
    SessionInvalid = "SESSION_INVALID", 401,
        "No hay una sesión iniciada. Inserte su tarjeta e inicie sesión.",
        "There is no session. Insert your card and log in.";
    /// The session ended (idle 15 minutes, 8 hours, logout, card removed, user removed).
    SessionExpired = "SESSION_EXPIRED", 401,
        "La sesión terminó. Inserte su tarjeta e inicie sesión de nuevo.",
        "The session has ended. Insert your card and log in again.";
    /// The session belongs to another workstation's certificate.
    SessionOtherWorkstation = "SESSION_OTHER_WORKSTATION", 401,
        "La sesión pertenece a otra estación de trabajo.",
        "The session belongs to another workstation.";
    /// A user (operator) session called a coordinator-only operation.
    CoordinatorOnly = "COORDINATOR_ONLY", 403,
        "Solo el coordinador de la institución puede realizar esta operación.",
        "Only the institution's coordinator may do this.";

    // User administration (altas / bajas / actualizaciones), signed by the card.
    /// The signed request names another institution than the coordinator's.
    InstitutionMismatch = "INSTITUTION_MISMATCH", 403,
        "El coordinador solo puede gestionar usuarios de su propia institución.",
        "A coordinator may only manage the users of its own institution.";
    /// The signed request names another workstation than the calling one.
    WorkstationMismatch = "WORKSTATION_MISMATCH", 403,
        "La solicitud firmada corresponde a otra estación de trabajo.",
        "The signed request belongs to another workstation.";
    /// The signer is not the person logged in.
    SignerMismatch = "SIGNER_MISMATCH", 403,
        "La solicitud fue firmada con la tarjeta de otra persona.",
        "The request was signed with another person's card.";
    /// The request was signed more than 5 minutes ago (or in the future).
    RequestStale = "REQUEST_STALE", 400,
        "La solicitud firmada es demasiado antigua (más de 5 minutos). Fírmela de nuevo.",
        "The signed request is too old (over 5 minutes). Sign it again.";
    /// The request id was already used.
    RequestReplayed = "REQUEST_REPLAYED", 409,
        "Esa solicitud ya fue recibida; no se procesa dos veces.",
        "That request was already received; it is not processed twice.";
    /// A required field of the user is missing or malformed.
    UserFieldInvalid = "USER_FIELD_INVALID", 400,
        "Un dato del usuario falta o no es válido.",
        "A field of the user is missing or not valid.";
    /// The institution already has 10 active users (pending additions count).
    UserLimitReached = "USER_LIMIT_REACHED", 409,
        "La institución ya tiene el máximo de 10 usuarios activos.",
        "The institution already has the maximum of 10 active users.";
    /// Adding a user who is already active in the institution.
    UserExists = "USER_EXISTS", 409,
        "Esa persona ya es usuaria activa de la institución.",
        "That person is already an active user of the institution.";
    /// Removing or updating someone who is not a user of the institution.
    UserUnknown = "USER_UNKNOWN", 404,
        "Esa persona no es usuaria de la institución.",
        "That person is not a user of the institution.";
    /// The user is blocked for misuse; only the registry can unblock.
    UserBlocked = "USER_BLOCKED", 403,
        "El usuario está bloqueado por uso indebido; solo el registro puede desbloquearlo.",
        "The user is blocked for misuse; only the registry can unblock them.";
    /// The eID root or CRL file given to `trust` cannot be used.
    TrustFileInvalid = "TRUST_FILE_INVALID", 400,
        "El archivo de certificado raíz o de lista de revocación no es válido.",
        "The root certificate or revocation list file is not valid.";

    // The Consulta Social queue.
    /// No such query job, or not one this person may see.
    QueryNotFound = "QUERY_NOT_FOUND", 404,
        "No existe esa consulta, o no pertenece a usted ni a su institución.",
        "There is no such query, or it belongs neither to you nor to your institution.";
    /// The result was asked for before the job finished.
    QueryNotReady = "QUERY_NOT_READY", 409,
        "La consulta aún no ha terminado; su resultado no está disponible todavía.",
        "The query has not finished yet; its result is not available.";
    /// The result was deleted after the retention period.
    QueryExpired = "QUERY_EXPIRED", 410,
        "El resultado de esa consulta ya fue eliminado al cumplirse el plazo de conservación.",
        "The result of that query was deleted when its retention period ended.";
    /// The job failed; the detail says why.
    QueryFailed = "QUERY_FAILED", 500,
        "La consulta no pudo procesarse.",
        "The query could not be processed.";

    // Reports.
    /// A report period that is not two dates, or ends before it starts.
    ReportPeriodInvalid = "REPORT_PERIOD_INVALID", 400,
        "El período del reporte no es válido: indique fechas AAAA-MM-DD (o un mes AAAA-MM) y una fecha inicial que no sea posterior a la final.",
        "The report period is not valid: give YYYY-MM-DD dates (or a YYYY-MM month) and a start that is not after the end.";

    // Server administration (the admin CLI, acting on a data directory).
    /// `init` on a directory that already holds a Padrón installation.
    DataDirExists = "DATA_DIR_EXISTS", 409,
        "El directorio de datos ya contiene una instalación de Padrón; no se modificó nada.",
        "The data directory already holds a Padrón installation; nothing was changed.";
    /// The data directory is missing or incomplete.
    DataDirMissing = "DATA_DIR_MISSING", 404,
        "El directorio de datos no existe o no fue inicializado con `padron-server init`.",
        "The data directory does not exist or was not initialised with `padron-server init`.";
    /// `audit verify` found an entry or a stored signature that no longer checks out.
    AuditChainBroken = "AUDIT_CHAIN_BROKEN", 409,
        "El registro de auditoría fue alterado: la verificación falló.",
        "The audit log was altered: verification failed.";
    /// The database was written by a newer Padrón.
    SchemaTooNew = "SCHEMA_TOO_NEW", 500,
        "La base de datos fue creada por una versión más reciente de Padrón.",
        "The database was created by a newer version of Padrón.";

    // Consulta Social: query workbooks and the civil registry.
    /// The uploaded file is not a spreadsheet Padrón can read (xlsx, xls, ods).
    WorkbookUnreadable = "WORKBOOK_UNREADABLE", 400,
        "El archivo no es un libro de cálculo legible (xlsx, xls u ods).",
        "The file is not a readable spreadsheet (xlsx, xls or ods).";
    /// No row of the first sheet carries the expected column names.
    WorkbookNoHeader = "WORKBOOK_NO_HEADER", 400,
        "No se encontró una fila de encabezados reconocible; las columnas esperadas se indican en el detalle.",
        "No recognisable header row was found; the expected columns are listed in the detail.";
    /// The header is there but no row below it holds a query.
    WorkbookEmpty = "WORKBOOK_EMPTY", 400,
        "El archivo no contiene filas para consultar.",
        "The file contains no rows to query.";
    /// More rows than one file may hold (50,000 by CUI, 3,000 by names).
    WorkbookTooManyRows = "WORKBOOK_TOO_MANY_ROWS", 413,
        "El archivo excede el límite de filas: 50,000 por CUI o 3,000 por nombres.",
        "The file exceeds the row limit: 50,000 by CUI or 3,000 by names.";
    /// The file is larger than 20 MB.
    WorkbookTooLarge = "WORKBOOK_TOO_LARGE", 413,
        "El archivo excede el tamaño máximo de 20 MB.",
        "The file exceeds the maximum size of 20 MB.";
    /// The compressed workbook would expand far beyond any real query file.
    WorkbookZipBomb = "WORKBOOK_ZIP_BOMB", 413,
        "El archivo comprimido se expandiría más allá de un tamaño razonable y fue rechazado.",
        "The compressed file would expand beyond a reasonable size and was refused.";
    /// No registry has been imported yet.
    RegistryEmpty = "REGISTRY_EMPTY", 503,
        "Aún no se ha importado el registro civil en este servidor.",
        "The civil registry has not been imported on this server yet.";
    /// The registry CSV does not have the expected header.
    RegistryCsvInvalid = "REGISTRY_CSV_INVALID", 400,
        "El archivo del registro no tiene el encabezado CSV esperado.",
        "The registry file does not have the expected CSV header.";
    /// Another import of the registry is running on this data directory.
    RegistryBusy = "REGISTRY_BUSY", 409,
        "Ya hay una importación del registro en curso en este directorio de datos.",
        "A registry import is already running on this data directory.";

    // Agent-side.
    /// The agent configuration file is missing or wrong.
    AgentConfigInvalid = "AGENT_CONFIG_INVALID", 400,
        "La configuración del agente no existe o tiene errores.",
        "The agent configuration is missing or has errors.";
    /// The server could not be reached at all.
    ServerUnreachable = "SERVER_UNREACHABLE", 503,
        "No se pudo conectar con el servidor de Padrón.",
        "Could not connect to the Padrón server.";
    /// The server refused this workstation's certificate in the TLS handshake.
    WorkstationCertificateRefused = "WORKSTATION_CERTIFICATE_REFUSED", 403,
        "El servidor rechazó el certificado de esta estación de trabajo.",
        "The server refused this workstation's certificate.";
    /// The server's certificate is not the one this workstation was enrolled with.
    ServerCertificateUntrusted = "SERVER_CERTIFICATE_UNTRUSTED", 502,
        "El certificado del servidor no es el esperado; la conexión se interrumpió por seguridad.",
        "The server's certificate is not the expected one; the connection was stopped for safety.";

    // Cards (agent-side: the national eID card in the coordinator's reader).
    /// The PC/SC service (pcscd) is not running on this computer.
    PcscUnavailable = "PCSC_UNAVAILABLE", 503,
        "El servicio de lectores de tarjetas (PC/SC) no está disponible en esta computadora.",
        "The smart card reader service (PC/SC) is not available on this computer.";
    /// The named reader is not connected.
    ReaderNotFound = "READER_NOT_FOUND", 404,
        "No se encontró el lector de tarjetas indicado. Verifique que esté conectado.",
        "The card reader was not found. Check that it is connected.";
    /// The reader holds no card.
    CardAbsent = "CARD_ABSENT", 409,
        "No hay una tarjeta de identificación en el lector.",
        "There is no identity card in the reader.";
    /// The card was taken out of the reader during the session.
    CardRemoved = "CARD_REMOVED", 401,
        "La tarjeta fue retirada del lector; la sesión terminó.",
        "The card was removed from the reader; the session has ended.";
    /// The card is not a PIV card or uses an algorithm Padrón cannot use.
    CardNotSupported = "CARD_NOT_SUPPORTED", 415,
        "La tarjeta del lector no es una tarjeta de identificación compatible.",
        "The card in the reader is not a supported identity card.";
    /// The card lacks the authentication or signature certificate, or it is unreadable.
    CardCertificateMissing = "CARD_CERTIFICATE_MISSING", 422,
        "La tarjeta no contiene un certificado válido de autenticación o de firma.",
        "The card holds no valid authentication or signature certificate.";
    /// Wrong PIN; the detail says how many tries are left.
    PinIncorrect = "PIN_INCORRECT", 401,
        "El PIN de la tarjeta es incorrecto.",
        "The card PIN is incorrect.";
    /// Too many wrong PINs: the card refuses the PIN until it is unblocked.
    PinBlocked = "PIN_BLOCKED", 423,
        "El PIN de la tarjeta está bloqueado por demasiados intentos fallidos. Acuda a la entidad emisora para desbloquearlo.",
        "The card PIN is blocked after too many wrong tries. Ask the issuing authority to unblock it.";
    /// The operation needs the PIN (for a signature: entered again right before it).
    PinRequired = "PIN_REQUIRED", 401,
        "Debe ingresar el PIN de la tarjeta para continuar.",
        "Enter the card PIN to continue.";
    /// The PIN has a length or characters the card cannot take.
    PinFormatInvalid = "PIN_FORMAT_INVALID", 400,
        "El PIN no tiene el formato que acepta la tarjeta.",
        "The PIN is not in the format the card accepts.";
    /// The configured PKCS#11 module could not be loaded.
    Pkcs11ModuleInvalid = "PKCS11_MODULE_INVALID", 400,
        "No se pudo cargar el módulo PKCS#11 configurado para la tarjeta.",
        "The PKCS#11 module configured for the card could not be loaded.";
    /// The card or its middleware answered something unexpected.
    CardError = "CARD_ERROR", 502,
        "La tarjeta respondió de forma inesperada. Retírela, vuelva a insertarla e intente de nuevo.",
        "The card answered unexpectedly. Remove it, insert it again and retry.";
    // Connections and request rates.
    /// This workstation sent more requests of one kind than its rate allows.
    RateLimited = "RATE_LIMITED", 429,
        "Esta estación envió demasiadas solicitudes seguidas. Espere un momento e intente de nuevo.",
        "This workstation sent too many requests in a row. Wait a moment and try again.";
    /// Too many login challenges asked for and not used.
    ChallengesOutstanding = "CHALLENGES_OUTSTANDING", 429,
        "Esta estación tiene demasiados inicios de sesión pendientes sin completar. Espere unos minutos e intente de nuevo.",
        "This workstation has too many unfinished logins pending. Wait a few minutes and try again.";
    /// The request's body did not arrive within the server's time limit.
    RequestBodyTimeout = "REQUEST_BODY_TIMEOUT", 408,
        "El archivo o la solicitud no terminó de llegar al servidor a tiempo. Revise la red e intente de nuevo.",
        "The file or request did not finish reaching the server in time. Check the network and try again.";
    /// The connection was cut after the server accepted this workstation:
    /// the server did not finish the request (it stopped, or the network failed).
    ServerConnectionDropped = "SERVER_CONNECTION_DROPPED", 503,
        "El servidor no terminó de atender la solicitud: la conexión se cortó. Intente de nuevo en un momento.",
        "The server did not finish the request: the connection was cut. Try again in a moment.";

    // Card certificate revocation and trust (issue 12).
    /// A CRL not signed by a trusted eID root or intermediate CA.
    CrlSignatureInvalid = "CRL_SIGNATURE_INVALID", 400,
        "La lista de revocación no está firmada por una autoridad raíz o intermedia de confianza. Importe primero el certificado de la autoridad que la emite.",
        "The revocation list is not signed by a trusted root or intermediate authority. Import the certificate of the authority that issues it first.";
    /// A CRL older than (or as old as) the current one for its issuer.
    CrlNotNewer = "CRL_NOT_NEWER", 409,
        "La lista de revocación no es más reciente que la vigente para esa autoridad (número de CRL o fecha de emisión); se conserva la vigente.",
        "The revocation list is not newer than the current one for that authority (CRL number or issue date); the current one is kept.";
    /// The issuer's CRL is past its nextUpdate plus the grace period, or OCSP could not answer.
    CardRevocationUnknown = "CARD_REVOCATION_UNKNOWN", 503,
        "No se puede comprobar si el certificado de la tarjeta está revocado: la lista de revocación de su autoridad venció o el servicio OCSP no respondió. El administrador del registro debe importar una lista de revocación vigente (padron-server trust add-crl) o revisar el acceso al servicio OCSP.",
        "Whether the card certificate is revoked cannot be checked: its authority's revocation list expired or the OCSP service did not answer. The registry administrator must import a current revocation list (padron-server trust add-crl) or check access to the OCSP service.";
    /// An authentication certificate without extendedKeyUsage clientAuth.
    CardCertificateNoClientAuth = "CARD_CERTIFICATE_NO_CLIENT_AUTH", 401,
        "El certificado de autenticación de la tarjeta no declara el uso de autenticación de cliente (clientAuth).",
        "The card's authentication certificate does not declare client authentication (clientAuth).";
    /// The certificate carries none of the policy OIDs allowed for its root.
    CardCertificatePolicy = "CARD_CERTIFICATE_POLICY", 401,
        "El certificado de la tarjeta no tiene una política de certificación aceptada por el registro.",
        "The card certificate has no certificate policy the registry accepts.";
    /// The certificate's key is of a size or curve not allowed (RSA under 2048, curves other than P-256/P-384).
    CardCertificateKey = "CARD_CERTIFICATE_KEY", 401,
        "La clave del certificado de la tarjeta no es de un tipo o tamaño aceptado (RSA de 2048 bits o más, curvas P-256 o P-384).",
        "The card certificate's key is not of an accepted type or size (RSA of 2048 bits or more, curves P-256 or P-384).";
    /// An intermediate CA not issued by a trusted root or intermediate.
    TrustIntermediateUntrusted = "TRUST_INTERMEDIATE_UNTRUSTED", 400,
        "El certificado intermedio no es de una autoridad certificadora emitida por una raíz eID de confianza.",
        "The intermediate certificate is not a certification authority issued by a trusted eID root.";
    /// `trust remove-root` given a root that is not trusted.
    TrustRootUnknown = "TRUST_ROOT_UNKNOWN", 404,
        "Esa raíz eID no está entre las de confianza.",
        "That eID root is not among the trusted ones.";
    /// The session ended because the eID root of its card was removed.
    SessionTrustRemoved = "SESSION_TRUST_REMOVED", 401,
        "La sesión terminó porque el registro dejó de reconocer la autoridad que emitió su tarjeta.",
        "The session ended because the registry no longer recognises the authority that issued your card.";
    /// The OCSP response's signer is neither the issuer nor an OCSP responder it delegated.
    OcspSignerUntrusted = "OCSP_SIGNER_UNTRUSTED", 503,
        "La respuesta OCSP no está firmada por la autoridad de la tarjeta ni por un respondedor autorizado por ella. El administrador del registro debe revisar la configuración OCSP.",
        "The OCSP response is not signed by the card's authority nor by a responder it authorised. The registry administrator must check the OCSP settings.";
    /// The OCSP response is too old, from the future, or past its nextUpdate.
    OcspResponseStale = "OCSP_RESPONSE_STALE", 503,
        "La respuesta OCSP no es reciente (thisUpdate fuera del margen permitido). El administrador del registro debe revisar el reloj del servidor y el servicio OCSP.",
        "The OCSP response is not recent (thisUpdate outside the allowed window). The registry administrator must check the server clock and the OCSP service.";
    /// The OCSP response does not carry the nonce of the request (a replay).
    OcspNonceMismatch = "OCSP_NONCE_MISMATCH", 503,
        "La respuesta OCSP no corresponde a esta consulta (nonce distinto): posible repetición de una respuesta anterior.",
        "The OCSP response does not answer this query (different nonce): possibly a replayed response.";
    /// The OCSP response cannot be used (malformed, error status, another certificate).
    OcspResponseInvalid = "OCSP_RESPONSE_INVALID", 503,
        "La respuesta del servicio OCSP no es válida para este certificado.",
        "The OCSP service's response is not valid for this certificate.";
    // People and roles, evidence, keys (issue 12).
    /// The coordinator or legal representative was removed (or replaced) on the institution's written request.
    CoordinatorRemoved = "COORDINATOR_REMOVED", 403,
        "Usted ya no es coordinador(a) ni representante legal de la institución: fue retirado(a) a solicitud escrita de la institución.",
        "You are no longer a coordinator or legal representative of the institution: you were removed on the institution's written request.";
    /// Not a coordinator or legal representative of that institution.
    CoordinatorUnknown = "COORDINATOR_UNKNOWN", 404,
        "Esa persona no es coordinador(a) ni representante legal activo(a) de la institución.",
        "That person is not an active coordinator or legal representative of the institution.";
    /// The signed request names another Padrón installation (e.g. a test server).
    InstallationMismatch = "INSTALLATION_MISMATCH", 403,
        "La solicitud firmada es para otra instalación de Padrón y no se acepta en esta.",
        "The signed request is for another Padrón installation and is not accepted by this one.";
    /// The institution has no agreement in force today.
    AgreementNotInForce = "AGREEMENT_NOT_IN_FORCE", 403,
        "La institución no tiene un convenio vigente con el registro; sin convenio no hay servicio. Su autoridad debe gestionar el convenio con el registro.",
        "The institution has no agreement in force with the registry; without one there is no service. Its head must arrange the agreement with the registry.";
    /// A checkpoint file that is unreadable, not signed by this server's checkpoint key, or that the log no longer extends.
    AuditCheckpointInvalid = "AUDIT_CHECKPOINT_INVALID", 409,
        "El punto de control de auditoría no corresponde a este registro: el registro fue truncado, bifurcado o reescrito, o el archivo no es válido.",
        "The audit checkpoint does not match this log: the log was truncated, forked or rewritten, or the file is not valid.";
    /// A private key or the data directory can be read by other users of the machine.
    DataDirNotPrivate = "DATA_DIR_NOT_PRIVATE", 500,
        "Una clave privada o el directorio de datos puede ser leído por otros usuarios del sistema; corrija los permisos como se indica.",
        "A private key or the data directory can be read by other users of the machine; fix the permissions as shown.";
    /// The CSR's key is too weak (RSA under 2048 bits) or of an unsupported type or curve.
    CsrKeyRefused = "CSR_KEY_REFUSED", 400,
        "La clave de la solicitud de certificado no se acepta: RSA de al menos 2048 bits, o EC P-256 / P-384.",
        "The certificate request's key is not accepted: RSA of at least 2048 bits, or EC P-256 / P-384.";

    // Hostile or broken workbooks (issue 11): each cap its own code.
    /// A zip with more entries than any workbook has.
    WorkbookTooManyEntries = "WORKBOOK_TOO_MANY_ENTRIES", 413,
        "El archivo contiene demasiadas partes internas para ser un libro de cálculo.",
        "The file holds too many internal parts to be a spreadsheet.";
    /// More sheets than the reader accepts.
    WorkbookTooManySheets = "WORKBOOK_TOO_MANY_SHEETS", 413,
        "El libro tiene demasiadas hojas. Deje solo la hoja con la consulta.",
        "The workbook has too many sheets. Keep only the sheet with the query.";
    /// More cells with data than the reader accepts.
    WorkbookTooManyCells = "WORKBOOK_TOO_MANY_CELLS", 413,
        "El libro tiene demasiadas celdas con datos. Deje solo las columnas de la consulta.",
        "The workbook has too many cells with data. Keep only the query's columns.";
    /// One cell longer than Excel allows (32,767 characters).
    WorkbookCellTooLong = "WORKBOOK_CELL_TOO_LONG", 413,
        "Una celda del archivo excede 32,767 caracteres, el máximo de Excel.",
        "A cell of the file exceeds 32,767 characters, Excel's maximum.";
    /// More text in total than the reader accepts.
    WorkbookTextTooLarge = "WORKBOOK_TEXT_TOO_LARGE", 413,
        "El texto del archivo excede lo que se puede procesar. Deje solo las columnas de la consulta.",
        "The file's text exceeds what can be processed. Keep only the query's columns.";
    /// XML nested deeper than any spreadsheet writes it.
    WorkbookTooDeep = "WORKBOOK_TOO_DEEP", 400,
        "La estructura interna del archivo está dañada (anidada demasiado profundo).",
        "The file's internal structure is damaged (nested too deep).";
    /// A cell beyond row 1,048,576 or column XFD.
    WorkbookOutOfRange = "WORKBOOK_OUT_OF_RANGE", 400,
        "El archivo tiene celdas fuera de los límites de Excel (fila 1,048,576, columna XFD).",
        "The file has cells beyond Excel's limits (row 1,048,576, column XFD).";
    /// Reading the file took longer than allowed.
    WorkbookTooSlow = "WORKBOOK_TOO_SLOW", 413,
        "El archivo tardó demasiado en leerse y fue rechazado. Guárdelo de nuevo con solo la hoja de la consulta.",
        "The file took too long to read and was refused. Save it again with only the query's sheet.";
    /// A password-protected (encrypted) Office file.
    WorkbookEncrypted = "WORKBOOK_ENCRYPTED", 400,
        "El archivo está protegido con contraseña. Guárdelo sin contraseña e intente de nuevo.",
        "The file is password-protected. Save it without a password and try again.";
    /// An Excel binary workbook (.xlsb).
    WorkbookXlsb = "WORKBOOK_XLSB", 400,
        "El archivo es un libro binario de Excel (.xlsb). Guárdelo como .xlsx e intente de nuevo.",
        "The file is an Excel binary workbook (.xlsb). Save it as .xlsx and try again.";
    /// An .xls read outside the isolated reader process.
    WorkbookXlsNeedsIsolation = "WORKBOOK_XLS_NEEDS_ISOLATION", 400,
        "Los archivos .xls solo se leen en el proceso aislado; guárdelo como .xlsx o use la lectura aislada.",
        "Files in .xls are read only in the isolated process; save it as .xlsx or use the isolated reader.";
    /// The isolated reader hit its memory or CPU limit.
    WorkbookParseLimit = "WORKBOOK_PARSE_LIMIT", 413,
        "Leer el archivo excedió la memoria o el tiempo de CPU permitidos y fue rechazado.",
        "Reading the file exceeded the allowed memory or CPU time and it was refused.";
    /// The isolated reader stopped unexpectedly (a crash).
    WorkbookParseFailed = "WORKBOOK_PARSE_FAILED", 422,
        "La lectura del archivo se interrumpió. El archivo parece dañado; guárdelo de nuevo e intente otra vez.",
        "Reading the file stopped unexpectedly. The file seems damaged; save it again and retry.";
    /// Every reader is busy: retry shortly.
    WorkbookParserBusy = "WORKBOOK_PARSER_BUSY", 503,
        "El servidor está leyendo otros archivos. Intente de nuevo en unos minutos.",
        "The server is reading other files. Try again in a few minutes.";

    // Backups and restores (issue 16).
    /// `backup --out` names a file that already exists; backups are never overwritten.
    BackupOutputExists = "BACKUP_OUTPUT_EXISTS", 409,
        "El archivo de respaldo indicado ya existe; un respaldo nunca se sobrescribe. Indique otro nombre.",
        "The backup file already exists; a backup is never overwritten. Give another name.";
    /// `--encrypt-to` is not an age recipient (`age1…`).
    BackupRecipientInvalid = "BACKUP_RECIPIENT_INVALID", 400,
        "El destinatario de cifrado no es una clave pública age válida (age1…).",
        "The encryption recipient is not a valid age public key (age1…).";
    /// The file is not a Padrón backup, or it is damaged (a file's SHA-256 does not match).
    BackupCorrupt = "BACKUP_CORRUPT", 422,
        "El archivo no es un respaldo de Padrón o está dañado; no se restauró nada.",
        "The file is not a Padrón backup or it is damaged; nothing was restored.";
    /// The backup is encrypted and no `--identity` was given.
    BackupEncrypted = "BACKUP_ENCRYPTED", 400,
        "El respaldo está cifrado: indique con --identity el archivo de identidad age que lo descifra.",
        "The backup is encrypted: give the age identity file that decrypts it with --identity.";
    /// The identity file is unreadable, or none of its identities decrypts the backup.
    BackupIdentityInvalid = "BACKUP_IDENTITY_INVALID", 400,
        "El archivo de identidad age no se puede leer o no descifra este respaldo.",
        "The age identity file cannot be read or does not decrypt this backup.";
    /// `backup` of an installation whose store is PostgreSQL: the database is dumped with `pg_dump`.
    BackupNeedsPgDump = "BACKUP_NEEDS_PG_DUMP", 409,
        "Esta instalación guarda sus datos en PostgreSQL: respalde la base de datos con `pg_dump --format=custom` y la configuración y las claves (server.toml, pki/) con `tar`, cifradas (véase «Copias de seguridad» en el README). No se escribió nada.",
        "This installation keeps its data in PostgreSQL: back up the database with `pg_dump --format=custom` and the configuration and keys (server.toml, pki/) with `tar`, encrypted (see \"Backups\" in the README). Nothing was written.";
    /// The audit export given to `restore --audit-export` is unreadable or is not of the backed-up system.
    AuditExportInvalid = "AUDIT_EXPORT_INVALID", 400,
        "La exportación de auditoría no se puede leer o no es del sistema respaldado (su cadena no contiene el respaldo).",
        "The audit export cannot be read or is not of the backed-up system (its chain does not contain the backup).";
    // Consulta individual, cases, service desk (issue 18).
    /// One person asked more consultas individuales than the per-user rate allows.
    SingleQueryRateLimited = "SINGLE_QUERY_RATE_LIMITED", 429,
        "Hizo demasiadas consultas individuales seguidas. La consulta individual es para la persona presente; para listas use un archivo.",
        "You made too many individual queries in a row. The individual query is for the person present; for lists use a workbook.";
    /// A consulta individual without a programme, with neither or both of CUI and names, or a bad date.
    SingleQueryInvalid = "SINGLE_QUERY_INVALID", 400,
        "La consulta individual necesita el programa y un CUI o los nombres y apellidos (fecha de nacimiento dd/mm/aaaa si se conoce).",
        "An individual query needs the programme and a CUI or the names and surnames (date of birth dd/mm/yyyy when known).";
    /// No such follow-up case, or not one of this institution.
    CaseNotFound = "CASE_NOT_FOUND", 404,
        "No existe ese caso, o no pertenece a su institución.",
        "There is no such case, or it does not belong to your institution.";
    /// A case's rows are not unresolved rows of a finished job of the institution, or lack data.
    CaseRowsInvalid = "CASE_ROWS_INVALID", 400,
        "Las filas del caso deben ser filas NO_ENCONTRADO o AMBIGUO de una consulta terminada de la institución, cada una con datos para ubicar a la persona.",
        "A case's rows must be NO_ENCONTRADO or AMBIGUO rows of a finished query of the institution, each with information to locate the person.";
    /// The case is closed, or the update does not fit its state.
    CaseStateConflict = "CASE_STATE_CONFLICT", 409,
        "El caso no está en un estado que permita esa operación.",
        "The case is not in a state that allows that operation.";
    /// No such ticket, or not one this person may see.
    TicketNotFound = "TICKET_NOT_FOUND", 404,
        "No existe ese ticket, o no pertenece a usted ni a su institución.",
        "There is no such ticket, or it belongs neither to you nor to your institution.";
    /// A ticket without a kind, subject or text, or too long.
    TicketInvalid = "TICKET_INVALID", 400,
        "El ticket necesita tipo (duda, incidente, mejora), asunto (hasta 120 caracteres) y texto (hasta 4000).",
        "A ticket needs a kind (duda, incidente, mejora), a subject (up to 120 characters) and a text (up to 4000).";
    /// An improvement request from someone who is not a coordinator (000 8.1.2).
    TicketMejoraCoordinatorOnly = "TICKET_MEJORA_COORDINATOR_ONLY", 403,
        "Las solicitudes de mejora las presenta la coordinación en nombre de la autoridad de la institución.",
        "Improvement requests are made by a coordinator on behalf of the head of the institution.";
    /// The ticket's state does not allow that change (e.g. reopening after 15 days, or a closed ticket).
    TicketStateConflict = "TICKET_STATE_CONFLICT", 409,
        "El ticket no está en un estado que permita ese cambio.",
        "The ticket is not in a state that allows that change.";
}

impl ErrorCode {
    /// The code's sentence in Spanish.
    pub fn message_es(self) -> &'static str {
        self.message(Lang::Es)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every refusal the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The stable code, e.g. `WORKSTATION_REVOKED`.
    #[schema(schema_with = error_code_schema)]
    pub code: String,
    /// The sentence for a person, in the language the client asked for.
    pub message: String,
    /// What in particular was refused (a code, a date), in the same language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Every code the server may answer with, as the OpenAPI document lists them.
fn error_code_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(
            "Código estable / stable code (never renamed or reused).",
        ))
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
        .build()
}

impl ErrorBody {
    /// The body for `code`, its sentence in `lang`, and what in particular was refused.
    pub fn new(code: ErrorCode, lang: Lang, detail: Option<String>) -> ErrorBody {
        ErrorBody {
            code: code.as_str().to_owned(),
            message: code.message(lang).to_owned(),
            detail,
        }
    }

    /// The known code, if this server speaks a code this agent knows.
    pub fn error_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(&self.code)
    }

    /// Message and detail as one line for a person.
    pub fn to_sentence(&self) -> String {
        match &self.detail {
            Some(d) if !d.is_empty() => format!("{} {}", self.message, d),
            _ => self.message.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(*code));
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            );
        }
        assert_eq!(ErrorCode::from_code("NO_SUCH_CODE"), None);
    }

    #[test]
    fn every_code_has_a_status_and_both_messages() {
        for code in ErrorCode::ALL {
            let status = code.http_status();
            assert!((400..600).contains(&status), "{code}: {status}");
            let es = code.message(Lang::Es);
            let en = code.message(Lang::En);
            assert!(es.ends_with('.') && en.ends_with('.'), "{code}");
            assert_ne!(es, en, "{code} has no translation");
        }
    }

    #[test]
    fn client_mistakes_are_never_500() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::CuiInvalid,
            ErrorCode::InstitutionUnknown,
            ErrorCode::WorkstationRevoked,
            ErrorCode::CsrInvalid,
        ] {
            assert!(code.http_status() < 500, "{code}");
        }
    }

    #[test]
    fn body_is_stable_json() {
        let body = ErrorBody::new(ErrorCode::WorkstationRevoked, Lang::Es, None);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["code"], "WORKSTATION_REVOKED");
        assert!(json.get("detail").is_none());
        let back: ErrorBody = serde_json::from_value(json).unwrap();
        assert_eq!(back.error_code(), Some(ErrorCode::WorkstationRevoked));
    }
}
