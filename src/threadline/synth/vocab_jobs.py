"""Words and fragments for job ads: legitimate employers and deceptive recruiters.

Company names are built from Microsoft's documentation brands (Contoso,
Fabrikam, Northwind, ...), which exist to be fictional, so no real employer is
named or impersonated.

Deceptive-recruitment cues (one indicator each) follow the ad-level red flags
in INDICATOR-EVIDENCE.md: recruitment_fee, passport_requested,
high_pay_no_experience, travel_paid, messaging_app_only, no_company_identity,
vague_duties, urgency, job_abroad. A deceptive ad draws a random subset of
them; a legitimate ad sometimes carries one innocently (visa sponsorship,
employer housing, "immediate start").
"""

from __future__ import annotations

# fmt: off
BRANDS = (
    "Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Litware", "Proseware",
    "Adventure Works", "Alpine Ski House", "Coho", "Fourth Coffee", "Lamna", "Relecloud",
    "Trey Research", "Wide World", "Woodgrove", "Tailwind", "VanArsdel", "Lucerne", "Bellows",
    "Southridge", "Blue Yonder", "Humongous", "Graphic Design Institute",
)
STREETS = (
    "Contoso Way", "Northwind Ave", "Fabrikam Blvd", "Tailspin Rd", "Litware St", "Proseware Pkwy",
    "Wingtip Dr", "Coho Ln", "Relecloud Ct", "Woodgrove Plaza",
)
STREETS_ES = (
    "Calle Contoso", "Avenida Northwind", "Calle Fabrikam", "Paseo Tailspin", "Avenida Litware",
    "Calle Proseware",
)

# sector -> (suffix, titles, duties) per language
SECTORS: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "hospitality": {
                       "en": (
                                 "Hospitality Group",
                                 (
                                     "Housekeeper", "Front Desk Agent", "Line Cook",
                                     "Banquet Server", "Dishwasher",
                                 ),
                                 (
                                     "clean and prepare guest rooms to brand standards",
                                     "check guests in and out and answer phone inquiries",
                                     "prepare menu items following recipes and food safety rules",
                                     "set up banquet rooms and serve guests at events",
                                 ),
                             ),
                       "es": (
                                 "Hoteles",
                                 (
                                     "Camarera de pisos", "Recepcionista", "Ayudante de cocina",
                                     "Camarero/a",
                                 ),
                                 (
                                     "limpieza y preparación de habitaciones",
                                     "atención a huéspedes en recepción",
                                     "preparación de platos y mise en place",
                                     "servicio de sala y barra",
                                 ),
                             ),
                   },
    "warehouse": {
                     "en": (
                               "Logistics",
                               ("Warehouse Associate", "Forklift Operator", "Order Picker"),
                               (
                                   "pick, pack and ship customer orders",
                                   "load and unload trucks safely",
                                   "operate a forklift (certification provided)",
                                   "count inventory and report damages",
                               ),
                           ),
                     "es": (
                               "Logística",
                               ("Mozo de almacén", "Carretillero/a", "Preparador/a de pedidos"),
                               (
                                   "preparación y embalaje de pedidos",
                                   "carga y descarga de camiones", "manejo de carretilla elevadora",
                                   "control de inventario",
                               ),
                           ),
                 },
    "care": {
                "en": (
                          "Home Care",
                          ("Home Health Aide", "Caregiver", "Certified Nursing Assistant"),
                          (
                              "assist clients with daily living activities",
                              "prepare meals and do light housekeeping",
                              "record vital signs and report changes to the nurse",
                          ),
                      ),
                "es": (
                          "Cuidados",
                          ("Auxiliar de ayuda a domicilio", "Cuidador/a", "Auxiliar de enfermería"),
                          (
                              "apoyo en actividades de la vida diaria",
                              "preparación de comidas y tareas del hogar",
                              "registro de constantes vitales",
                          ),
                      ),
            },
    "agriculture": {
                       "en": (
                                 "Farms",
                                 ("Seasonal Farmworker", "Greenhouse Worker", "Nursery Laborer"),
                                 (
                                     "harvest and pack fruit and vegetables",
                                     "plant, water and prune crops", "operate small farm equipment",
                                 ),
                             ),
                       "es": (
                                 "Agrícola",
                                 (
                                     "Peón agrícola", "Temporero/a de recolección",
                                     "Operario/a de invernadero",
                                 ),
                                 (
                                     "recolección y envasado de fruta", "plantación, riego y poda",
                                     "manejo de maquinaria agrícola ligera",
                                 ),
                             ),
                   },
    "construction": {
                        "en": (
                                  "Builders",
                                  ("General Laborer", "Carpenter Helper", "Drywall Installer"),
                                  (
                                      "prepare and clean job sites",
                                      "carry materials and assist carpenters",
                                      "hang and finish drywall",
                                  ),
                              ),
                        "es": (
                                  "Construcciones",
                                  ("Peón de obra", "Ayudante de carpintería", "Albañil"),
                                  (
                                      "preparación y limpieza de obra", "transporte de materiales",
                                      "trabajos de albañilería",
                                  ),
                              ),
                    },
    "retail": {
                  "en": (
                            "Stores",
                            ("Sales Associate", "Cashier", "Stock Associate"),
                            (
                                "help customers and keep the floor tidy",
                                "operate the register and handle returns",
                                "receive deliveries and restock shelves",
                            ),
                        ),
                  "es": (
                            "Tiendas",
                            ("Dependiente/a", "Cajero/a", "Reponedor/a"),
                            (
                                "atención al cliente en tienda", "cobro en caja y devoluciones",
                                "reposición de producto",
                            ),
                        ),
              },
}
REQS = {
    "en": (
              "High school diploma or equivalent", "Ability to lift 50 lbs",
              "Previous experience preferred", "Valid driver's license",
              "Food handler card within 30 days", "Must be 18 or older", "Reliable transportation",
              "Bilingual English/Spanish a plus",
          ),
    "es": (
              "Experiencia mínima de 1 año", "Carnet de conducir", "Disponibilidad inmediata",
              "Mayor de 18 años", "Permiso de trabajo vigente", "Valorable inglés",
          ),
}
BENEFITS = {
    "en": (
              "health, dental and vision insurance", "paid time off", "401(k) with company match",
              "employee meal discounts", "weekly pay", "paid training",
          ),
    "es": (
              "contrato indefinido", "jornada completa", "formación a cargo de la empresa",
              "seguro médico", "comedor de empresa", "plan de carrera",
          ),
}
SCHEDULES = {
    "en": (
              "Full-time, Monday to Friday", "Part-time, weekends required",
              "Rotating shifts including nights", "Seasonal, May through October",
              "Shifts 7am-3:30pm",
          ),
    "es": (
              "Jornada completa de lunes a viernes", "Media jornada, fines de semana",
              "Turnos rotativos", "Temporada de mayo a octubre", "Horario de 8:00 a 16:00",
          ),
}
LEGIT_CUES = {  # innocent uses of a cue by a named employer
    "en": (
              ("travel_paid", "Visa sponsorship available for qualified candidates."),
              ("travel_paid", "Relocation assistance available."),
              ("travel_paid", "Employer-provided housing for seasonal workers."),
              ("urgency", "Immediate start available."),
              ("urgency", "Hiring now - interviews this week."),
          ),
    "es": (
              ("travel_paid", "Ayuda para el alojamiento durante la temporada."),
              ("travel_paid", "Posibilidad de ayuda a la reubicación."),
              ("urgency", "Incorporación inmediata."),
              ("urgency", "Entrevistas esta misma semana."),
          ),
}

# Deceptive recruiters
DEST_JOBS = {
    "en": (
              "hotel staff", "waitresses", "hostesses", "models", "dancers", "nannies",
              "housekeepers", "fruit pickers", "factory workers", "massage therapists", "bar staff",
              "caregivers",
          ),
    "es": (
              "personal de hotel", "meseras", "edecanes", "modelos", "bailarinas", "niñeras",
              "empleadas domésticas", "recolectores de fruta", "operarios de fábrica", "masajistas",
              "camareras", "cuidadoras",
          ),
}
DECEPTIVE = {
    "en": {
              "title": (
                           "{job} needed in {dest} - {pay}", "URGENT: {job} for {dest}",
                           "Work abroad! {job} in {dest} {e}", "Hiring {job} - no experience",
                           "Earn {pay} as {job}", "{job} wanted {e} {dest}",
                       ),
              "intro_named": (
                                 "{company} is recruiting {job} for {dest}.",
                                 "{company} International Staffing is hiring {job}.",
                                 "Join {company} in {dest}: we need {job}.",
                             ),
              "intro_anon": (
                                "We are recruiting {job} for {dest} {e}",
                                "International agency hiring {job} now.",
                                "Great opportunity for young people who want to work abroad as "
                                "{job}.",
                                "Looking for {job} to start in {dest}.",
                            ),
              "high_pay_no_experience": (
                                            "No experience needed! Salary {pay}.",
                                            "Earn {pay}, no experience required.",
                                            "No CV, no experience, {pay} guaranteed.",
                                        ),
              "pay_plain": ("Good salary and tips.", "Salary {pay}.", "Attractive pay."),
              "recruitment_fee": (
                                     "Registration fee of {fee} covers processing.",
                                     "A small placement fee of {fee} secures your spot.",
                                     "Pay {fee} for visa processing, refundable after first "
                                     "salary.",
                                 ),
              "passport_requested": (
                                        "Send a copy of your passport and two photos to apply.",
                                        "We need your ID or passport copy first.",
                                        "Attach passport scan and a full body photo.",
                                    ),
              "travel_paid": (
                                 "Flights, visa and housing paid by the employer.",
                                 "Free ticket and accommodation, deducted later from salary.",
                                 "We arrange everything: ticket, visa, apartment.",
                             ),
              "vague_duties": (
                                  "Easy work, simple tasks, friendly environment.",
                                  "Light duties, details in private chat.",
                                  "Work with clients in a relaxed setting.",
                              ),
              "duties_plain": (
                                  "Duties: serving guests and keeping the venue clean.",
                                  "Duties: picking and packing produce.",
                              ),
              "urgency": (
                             "Only {n} places left!", "Departure this week, apply today.",
                             "Hurry, interviews close tomorrow.",
                             "Leave in 7 days, limited places.",
                         ),
              "messaging_app_only": (
                                        "Contact ONLY via WhatsApp {phone}.",
                                        "WhatsApp {phone}, no calls, no emails.",
                                        "Message on Telegram {handle} only.",
                                    ),
              "contact": (
                             "Call or WhatsApp {phone}.", "Send your CV to {email}.",
                             "Email {email} or text {phone}.",
                         ),
              "ages": ("Ages 18-30.", "Age 18 to 35 only.", "Candidates aged 20-32."),
          },
    "es": {
              "title": (
                           "Se buscan {job} en {dest} - {pay}", "URGENTE: {job} para {dest}",
                           "¡Trabaja en el extranjero! {job} en {dest} {e}",
                           "Contratamos {job} sin experiencia", "Gana {pay} como {job}",
                       ),
              "intro_named": (
                                 "{company} contrata {job} para {dest}.",
                                 "{company} Internacional busca {job}.",
                                 "Únete a {company} en {dest}: necesitamos {job}.",
                             ),
              "intro_anon": (
                                "Buscamos {job} para trabajar en {dest} {e}",
                                "Agencia internacional contrata {job}.",
                                "Oportunidad para chicas y chicos que quieran trabajar en el "
                                "extranjero como {job}.",
                                "Se solicitan {job} para {dest}.",
                            ),
              "high_pay_no_experience": (
                                            "Sin experiencia, sueldo de {pay}.",
                                            "Gana {pay}, no necesitas experiencia.",
                                            "Sin CV ni experiencia, {pay} garantizado.",
                                        ),
              "pay_plain": ("Buen sueldo y propinas.", "Sueldo {pay}.", "Pago atractivo."),
              "recruitment_fee": (
                                     "Cuota de inscripción de {fee} para trámites.",
                                     "Solo pagas {fee} de gestión para asegurar tu lugar.",
                                     "Pago de {fee} por la visa, se devuelve con el primer sueldo.",
                                 ),
              "passport_requested": (
                                        "Envía copia de tu pasaporte y dos fotos.",
                                        "Manda foto de tu INE o pasaporte primero.",
                                        "Adjunta pasaporte escaneado y foto de cuerpo completo.",
                                    ),
              "travel_paid": (
                                 "Pasaje, visa y alojamiento pagados.",
                                 "Boleto y hospedaje gratis, se descuenta después del sueldo.",
                                 "Nosotros arreglamos todo: boleto, visa y departamento.",
                             ),
              "vague_duties": (
                                  "Trabajo sencillo, tareas fáciles, buen ambiente.",
                                  "Funciones ligeras, detalles por privado.",
                                  "Atender clientes en un ambiente relajado.",
                              ),
              "duties_plain": (
                                  "Funciones: atención a clientes y limpieza del local.",
                                  "Funciones: recolección y empaque de fruta.",
                              ),
              "urgency": (
                             "¡Últimos {n} lugares!", "Salida esta semana, aplica hoy.",
                             "Date prisa, las entrevistas cierran mañana.",
                             "Viaje en 7 días, cupo limitado.",
                         ),
              "messaging_app_only": (
                                        "Contacto SOLO por WhatsApp {phone}.",
                                        "WhatsApp {phone}, sin llamadas.",
                                        "Escribe por Telegram a {handle} únicamente.",
                                    ),
              "contact": (
                             "Llama o escribe por WhatsApp al {phone}.", "Envía tu CV a {email}.",
                             "Correo {email} o mensaje al {phone}.",
                         ),
              "ages": ("Edad 18 a 30 años.", "Solo de 18 a 35 años.", "Edad entre 20 y 32 años."),
          },
}
JOB_SITES = {
    "en": ("jobboard.example", "hireline.example", "worklist.example", "classifieds.example"),
    "es": ("empleos.example", "trabajos-ya.example", "bolsa-empleo.example",
           "clasificados.example"),
}
RECRUITER_WORDS = (
    "jobs", "work", "recruit", "staff", "career", "travel", "visa", "abroad", "hiring",
)
# fmt: on
