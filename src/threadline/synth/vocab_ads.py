"""Words and sentence fragments for commercial-sex ads, English and Spanish.

Fragments are `str.format` patterns. Placeholders filled per ad: {name} {name2}
{name3} {age} {eth} {city} {price} {e} {e2} {height} {meas} {weight} {hours}
{until} {zip} {hair} {eyes}. Placeholders fixed per template (replaced when an
operation or an independent first writes its text): {adj} {adj2}.

The register is that of real classifieds (pet names, emoji, rates, "incall")
without explicit content: the corpus exists to exercise extractors,
indicators and linking, not to imitate the worst of the genre. Stated ages are
always adult.
"""

from __future__ import annotations

# fmt: off
# slot -> indicator it plants (voice "third" plants "third_person" on its own)
SLOT_INDICATOR: dict[str, str] = {
    "we_have": "third_person",
    "ethnicity": "ethnicity_stated",
    "youth": "youth_language",
    "movement": "movement_language",
    "trust": "trustworthy_language",
    "screening": "client_screening",
    "multi": "multiple_persons",
    "allday": "available_24_7",
}
# placeholder -> kind of hard negative (numbers that are not phone numbers)
DECOY_FIELDS: dict[str, str] = {
    "age": "age",
    "height": "measurement",
    "meas": "measurement",
    "weight": "measurement",
    "hours": "time",
    "until": "date",
    "zip": "zip",
}

EN: dict[str, dict[str, tuple[str, ...]]] = {
    "title": {
                 "any": (
                            "{e} {adj} {name} {e2}", "NEW {adj} {name} in {city} {e}",
                            "{name} {e} {adj} & {adj2}", "{e} {adj} beauty in {city} {e}",
                            "{adj} {name}, {age} {e}", "{name} - {city} - {e2}",
                            "{e}{e} {name} {e}{e}", "Sweet {name} waiting {e}",
                            "{adj} and {adj2} {name} {e}",
                        ),
                 "eth": (
                            "{e} {adj} {eth} {name} {e2}", "{eth} {name} {e} {adj}",
                            "{adj} {eth} beauty {e}", "{name} {eth} {adj} in {city} {e}",
                        ),
             },
    "intro": {
                 "first": (
                              "Hi gentlemen, I'm {name}, {adj} and ready to meet you {e}",
                              "Hey guys! {name} here {e} your {adj} companion in {city}",
                              "Hello loves, my name is {name} and I'm {age} {e}",
                              "I'm {name}, a {adj} girl who loves good company {e}",
                              "{e} {name} here, {adj}, {adj2} and always smiling",
                              "My name is {name} {e} I'm {adj} and easy going",
                              "Welcome gentlemen {e} I am {name}, {age}, {adj} and {adj2}",
                              "Looking for a {adj} lady? I'm {name} {e}",
                          ),
                 "third": (
                              "Meet {name} {e} she is {adj} and ready to make your day",
                              "{name} is a {adj} {age} sweetheart {e}",
                              "Say hi to {name}, {adj} and {adj2} {e}",
                              "{e} {name} is waiting for you in {city}",
                              "This is {name}, she is {age} and very {adj} {e}",
                              "Our {adj} {name} is available now {e}",
                              "Come see {name} {e} {adj}, {adj2} and so friendly",
                          ),
             },
    "we_have": {
                   "third": (
                                "We have new girls every week {e}",
                                "New girls weekly, ask for our menu",
                                "Ask about our other girls {e}",
                                "Our girls are {adj} and ready {e}",
                                "We are a small group of {adj} ladies",
                                "Different girls every week, call to see who is in",
                            ),
               },
    "ethnicity": {
                     "first": (
                                  "I'm a {adj} {eth} girl {e}", "100% {eth} {e}",
                                  "{eth} beauty with a {adj} smile", "Proud {eth} girl {e}",
                              ),
                     "third": (
                                  "She is a {adj} {eth} girl {e}", "100% {eth} {e}",
                                  "{eth} beauty with a {adj} smile", "Pure {eth} {e}",
                              ),
                 },
    "youth": {
                 "first": (
                              "Young, fresh and new to this {e}", "Petite young girl next door",
                              "Sweet college girl {e}", "Fresh face, new in the business",
                              "Young and playful {e}",
                          ),
                 "third": (
                              "She is young and fresh {e}", "Petite young girl next door",
                              "Sweet college girl {e}", "Fresh face, brand new to the business",
                              "Young and playful {e}",
                          ),
             },
    "body": {
                "first": (
                             "{height}, {meas}, {hair} hair and {eyes} eyes",
                             "I'm {height} with {hair} hair {e}",
                             "Stats: {meas} · {height} · {weight}",
                             "{hair} hair, {eyes} eyes, {meas}",
                         ),
                "third": (
                             "{height}, {meas}, {hair} hair and {eyes} eyes",
                             "She's {height} with {hair} hair {e}",
                             "Stats: {meas} · {height} · {weight}",
                             "{hair} hair, {eyes} eyes, {meas}",
                         ),
            },
    "services": {
                    "any": (
                               "Incall & outcall {e} {hours}", "Available {hours}",
                               "Outcall only, {hours}", "Incall near {zip}",
                               "Upscale incall in {city}, {hours}", "Hotel and home visits {e}",
                               "Private apartment near {zip} {e}",
                           ),
                },
    "allday": {"any": ("Available 24/7 {e}", "Open 24/7, call anytime", "24/7 available {e}")},
    "movement": {
                    "first": (
                                 "New in town {e}", "Just arrived in {city}!",
                                 "Only here until {until}", "Visiting {city} for a few days only",
                                 "Leaving soon, don't miss me {e}", "Limited time in {city}",
                                 "In town this week only, until {until}",
                             ),
                    "third": (
                                 "New in town {e}", "She just arrived in {city}",
                                 "Only here until {until}", "Visiting for a few days only",
                                 "Leaving soon {e}", "Limited time only",
                             ),
                },
    "trust": {
                 "first": (
                              "100% real pics, what you see is what you get",
                              "No games, no rush, no surprises", "Safe, clean and discreet {e}",
                              "Real and verified, I'm exactly like my photos",
                              "Your privacy is my priority",
                              "No deposit needed, pay when you see me",
                          ),
                 "third": (
                              "100% real pics, guaranteed", "No games, no rush, no surprises",
                              "Safe, clean and discreet {e}",
                              "Real and verified, she looks exactly like her photos",
                              "Your privacy is our priority",
                              "Satisfaction guaranteed or we make it right",
                          ),
             },
    "screening": {
                     "first": (
                                  "Screening required: references or work info",
                                  "New friends must verify, no exceptions",
                                  "I screen everyone for my safety", "Please have references ready",
                              ),
                     "third": (
                                  "Screening required for new clients",
                                  "New clients must verify first",
                              ),
                 },
    "multi": {
                 "first": (
                              "My friend {name2} and I are available together {e}",
                              "Duo with my bestie {name2} available",
                              "Ask about my friend {name2} {e}",
                          ),
                 "third": (
                              "{name} and {name2} are available together {e}",
                              "2 girls available: {name} & {name2}", "Duo special with {name2} {e}",
                              "{name}, {name2} and {name3} waiting for you",
                          ),
             },
    "rates": {
                 "any": (
                            "Rates: {price}", "{price} {e}", "Donations: {price}",
                            "Specials today: {price}", "{price}, no negotiating",
                        ),
             },
    "closing": {
                   "first": (
                                "Kisses {e}", "Can't wait to meet you", "Don't be shy {e}",
                                "See you soon", "xoxo {e}",
                            ),
                   "third": (
                                "Don't miss her {e}", "Call now, she's waiting", "Book now {e}",
                                "See you soon",
                            ),
               },
    "hub": {
               "any": (
                          "Book through the front desk: {hub}", "Reservations: {hub}",
                          "Bookings handled by {agency}: {hub}", "Agency line {hub}",
                      ),
           },
}

ES: dict[str, dict[str, tuple[str, ...]]] = {
    "title": {
                 "any": (
                            "{e} {name} {adj} {e2}", "NUEVA {name} {e}",
                            "{name} {adj} en {city} {e}", "{name} {age} {e} {adj}",
                            "Chica {adj} en {city} {e2}", "{e}{e} {name} {e}{e}",
                            "{adj} y {adj2} {name} {e}",
                        ),
                 "eth": (
                            "{e} {eth} {adj} {name}", "{name} {eth} {adj} en {city} {e}",
                            "{eth} {name} {e} {adj}",
                        ),
             },
    "intro": {
                 "first": (
                              "Hola caballeros, soy {name}, {adj} y lista para conocerte {e}",
                              "Hola amor {e} me llamo {name} y tengo {age}",
                              "Soy {name}, una chica {adj} y cariñosa {e}",
                              "{e} {name} aquí, {adj} y muy complaciente",
                              "Bienvenidos {e} soy {name}, {age}, {adj} y elegante",
                              "¿Buscas una chica {adj}? Soy {name} {e}",
                          ),
                 "third": (
                              "Conoce a {name} {e} es {adj} y está lista para ti",
                              "{name} es una chica {adj} de {age} {e}",
                              "{e} {name} te espera en {city}",
                              "Ella es {name}, tiene {age} y es muy {adj} {e}",
                              "Nuestra {adj} {name} está disponible ahora {e}",
                              "Ven a conocer a {name} {e} {adj} y {adj2}",
                          ),
             },
    "we_have": {
                   "third": (
                                "Tenemos chicas nuevas cada semana {e}",
                                "Chicas nuevas todas las semanas",
                                "Pregunta por nuestras otras chicas {e}",
                                "Somos un grupo de chicas {adj}s y discretas",
                                "Cada semana chicas diferentes, llama y pregunta",
                            ),
               },
    "ethnicity": {
                     "first": (
                                  "Soy {eth} {e}", "{eth} 100% {e}",
                                  "Belleza {eth} con sonrisa {adj}", "Orgullosamente {eth} {e}",
                              ),
                     "third": (
                                  "Es {eth} {e}", "{eth} 100% {e}", "Belleza {eth} {e}",
                                  "Auténtica {eth} {e}",
                              ),
                 },
    "youth": {
                 "first": (
                              "Jovencita, fresca y nueva en esto {e}",
                              "Estudiante universitaria {e}", "Chica joven y natural",
                              "Soy nueva en esto, muy jovencita {e}",
                          ),
                 "third": (
                              "Es jovencita y muy fresca {e}", "Estudiante universitaria {e}",
                              "Chica joven y natural", "Nueva en esto, muy jovencita",
                          ),
             },
    "body": {
                "first": (
                             "Mido {height}, medidas {meas} {e}", "{hair}, ojos {eyes}, {meas}",
                             "Estatura {height}, {weight}",
                         ),
                "third": (
                             "Mide {height}, medidas {meas}", "{hair}, ojos {eyes}, {meas}",
                             "Estatura {height}, {weight}",
                         ),
            },
    "services": {
                    "any": (
                               "Salidas a hotel y domicilio {e}",
                               "Atiendo en depa privado cerca de {zip}", "Horario: {hours}",
                               "Trato de novios, sin prisas {e}", "Zona {zip}, {hours}",
                               "Lugar propio, discreto y limpio",
                           ),
                },
    "allday": {"any": ("Disponible 24 horas {e}", "Atención 24/7", "24/7 para ti {e}")},
    "movement": {
                    "first": (
                                 "Nueva en la ciudad {e}", "Recién llegada a {city}",
                                 "Solo estoy hasta el {until}", "De visita en {city} pocos días",
                                 "Me voy pronto, no te quedes con las ganas {e}",
                                 "Por tiempo limitado en {city}",
                             ),
                    "third": (
                                 "Nueva en la ciudad {e}", "Recién llegada a {city}",
                                 "Solo hasta el {until}", "De visita pocos días",
                                 "Se va pronto {e}", "Por tiempo limitado",
                             ),
                },
    "trust": {
                 "first": (
                              "Fotos 100% reales, sin engaños",
                              "Discreción total y trato seguro {e}",
                              "Sin anticipos, pagas al verme", "Soy real, tal cual en las fotos",
                              "Tu privacidad es mi prioridad",
                          ),
                 "third": (
                              "Fotos 100% reales, garantizado", "Discreción total {e}",
                              "Sin anticipos", "Es real, tal cual en las fotos",
                              "Tu privacidad es nuestra prioridad",
                          ),
             },
    "screening": {
                     "first": (
                                  "Solo caballeros educados, pido referencias",
                                  "Verifico a los clientes nuevos",
                                  "Filtro a todos por mi seguridad",
                              ),
                     "third": (
                                  "Verificación previa para clientes nuevos",
                                  "Clientes nuevos deben verificarse",
                              ),
                 },
    "multi": {
                 "first": (
                              "Mi amiga {name2} y yo estamos juntas {e}",
                              "Dúo con mi amiga {name2}", "Pregunta por mi amiga {name2} {e}",
                          ),
                 "third": (
                              "{name} y {name2} disponibles juntas {e}",
                              "2 chicas: {name} y {name2}", "Dúo con {name2} {e}",
                              "{name}, {name2} y {name3} te esperan",
                          ),
             },
    "rates": {
                 "any": (
                            "Tarifas: {price}", "{price} {e}", "Precio: {price}",
                            "Promo de hoy: {price}",
                        ),
             },
    "closing": {
                   "first": ("Besos {e}", "Te espero", "No seas tímido {e}", "Nos vemos pronto"),
                   "third": (
                                "No te la pierdas {e}", "Llama ya, te espera", "Reserva ya {e}",
                                "Nos vemos pronto",
                            ),
               },
    "hub": {
               "any": (
                          "Reservas por recepción: {hub}", "Reservas: {hub}",
                          "Reservas con {agency}: {hub}", "Línea de la agencia {hub}",
                      ),
           },
}
# fmt: on
