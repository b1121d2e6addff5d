"""Word lists for commercial-sex ads: names, attributes, formats, contact phrases, sites.

Persona names are common given names without surnames; hub names and sites
are invented (hubs use Microsoft's fictional brands, sites the .example TLD).
"""

from __future__ import annotations

# fmt: off
ADJ = {
    "en": (
              "sweet", "sexy", "upscale", "classy", "exotic", "petite", "curvy", "stunning",
              "gorgeous", "playful", "friendly", "elegant", "bubbly", "sensual", "charming",
              "naughty", "cute",
          ),
    "es": (
              "dulce", "sexy", "elegante", "exótica", "cariñosa", "atrevida", "preciosa", "coqueta",
              "divertida", "espectacular", "guapa", "complaciente", "encantadora", "traviesa",
          ),
}
NAMES = {
    "en": (
              "Mia", "Lola", "Bella", "Candy", "Jade", "Ruby", "Chloe", "Amber", "Destiny",
              "Diamond", "Honey", "Kayla", "Lexi", "Nikki", "Roxy", "Sasha", "Stella", "Tiffany",
              "Violet", "Zoe", "Aaliyah", "Jasmine", "Kim", "Mimi", "Coco", "Luna", "Star", "Angel",
              "Scarlett", "Ivy", "Nova", "Skye", "Brooke", "Paris", "Summer", "Crystal", "Lily",
              "Cherry", "Kiki", "Yumi", "Suki", "Mei", "Nana", "Emi", "Katya", "Nadia", "Alina",
              "Vika", "Dasha", "Milena",
          ),
    "es": (
              "Valentina", "Camila", "Daniela", "Sofía", "Isabella", "Mariana", "Gabriela", "Paola",
              "Andrea", "Natalia", "Lucía", "Carla", "Fernanda", "Ximena", "Alejandra", "Karla",
              "Yesenia", "Luz", "Rosa", "Marisol", "Pamela", "Dulce", "Lola", "Mía", "Abril",
              "Renata", "Salomé", "Luna", "Maite", "Nerea", "Jimena", "Brenda", "Karen", "Daniella",
          ),
}
ETHNICITY = {
    "en": (
              "Latina", "Asian", "Ebony", "Colombian", "Brazilian", "Russian", "Thai", "Korean",
              "Puerto Rican", "Dominican", "Venezuelan", "Cuban", "Filipina", "Japanese", "Italian",
              "Ukrainian", "Romanian", "Vietnamese",
          ),
    "es": (
              "colombiana", "venezolana", "brasileña", "cubana", "dominicana", "paraguaya",
              "mexicana", "rusa", "asiática", "latina", "española", "argentina", "peruana",
              "rumana", "ucraniana",
          ),
}
HAIR = {
    "en": ("blonde", "brunette", "black", "red", "auburn", "dark brown"),
    "es": ("Rubia", "Morena", "Castaña", "Pelirroja", "Pelo negro"),
}
EYES = {
    "en": ("brown", "green", "blue", "hazel", "dark"),
    "es": ("verdes", "azules", "miel", "cafés", "negros"),
}
HEIGHT = {
    "en": ('5\'1"', '5\'2"', '5\'3"', '5\'4"', '5\'5"', '5\'6"', '5\'7"', '5\'8"',
           "5ft 4", "5ft 6"),
    "es": ("1,55 m", "1,60 m", "1,62 m", "1,65 m", "1,68 m", "1,70 m", "1.58", "1.63"),
}
MEAS = {
    "en": ("34C-24-36", "36-24-36", "32B-25-34", "34D-26-38", "36DD-27-40", "32A-23-33"),
    "es": ("90-60-90", "95-62-98", "88-60-92", "100-65-105", "85-58-88"),
}
WEIGHT = {
    "en": ("110 lbs", "115lbs", "120 lbs", "125 lbs", "130lbs", "140 lbs"),
    "es": ("52 kg", "55 kg", "58kg", "60 kg", "63 kg"),
}
HOURS = {
    "en": ("10am-2am", "11am to 3am", "9am-9pm", "noon-4am", "8pm-6am", "10:00-23:00"),
    "es": ("de 10 a 22h", "10:00-02:00", "de 12 a 6am", "9:00 a 21:00", "de 20h a 4h"),
}
EMOJI = (
    "💋", "🔥", "✨", "🌹", "💕", "😘", "🍒", "👑",
    "💎", "🌸", "❤️", "🦋", "🍑", "😈", "💯", "🥰",
)
AGE_FMT = {
    "en": ("{}yo", "{} yo", "{} y/o", "{} years old", "age {}"),
    "es": ("{} años", "{} añitos", "{} años recién cumplidos"),
}
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": (
              "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre",
          ),
}
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
POST_ID_FMT = {
    "en": ("Post ID: {}", "Ad #{}", "Ref: {}"),
    "es": ("Anuncio nº {}", "Ref. {}", "ID: {}"),
}
HANDLE_WORDS = (
    "sweet", "velvet", "honey", "luxe", "vip", "dolce", "cherry", "peach", "angel", "kitten",
    "bunny", "rose", "star", "diamond", "silk", "candy", "bella", "xo", "baby", "queen", "doll",
    "sugar", "glam", "lush",
)
# Contact lines: {p} is the identifier as written.
CONTACT = {
    "en": {
              "phone": (
                           "Call or text {p}", "Text me {p}", "📲 {p}", "Call {p}", "☎ {p}",
                           "Text only {p}, no blocked calls", "WhatsApp {p}", "Book now {p}",
                       ),
              "email": ("Email: {p}", "📧 {p}", "Email me at {p}", "Write to {p}"),
              "instagram": ("IG: {p}", "Insta {p}", "Follow me on IG {p}"),
              "snapchat": ("Snap: {p}", "SC {p}", "Add my snap {p}"),
              "telegram": ("Telegram: {p}", "TG {p}", "Message me on Telegram {p}"),
              "kik": ("Kik: {p}", "kik me {p}"),
              "onlyfans": ("OF: {p}", "My OF {p}"),
              "cashapp": ("Deposit via CashApp {p}", "CashApp: {p}", "Deposits to {p}"),
              "venmo": ("Venmo {p}", "Deposit by Venmo {p}"),
              "revolut": ("Revolut {p}", "Deposit via Revolut {p}"),
              "crypto": ("Crypto welcome: {p}", "BTC/ETH accepted {p}", "Pay in crypto: {p}"),
          },
    "es": {
              "phone": (
                           "Llámame al {p}", "Escríbeme al {p}", "📲 {p}", "Solo WhatsApp: {p}",
                           "WhatsApp {p}", "Citas al {p}", "Llamadas y mensajes {p}",
                       ),
              "email": ("Correo: {p}", "📧 {p}", "Escríbeme a {p}"),
              "instagram": ("IG: {p}", "Instagram {p}"),
              "snapchat": ("Snap: {p}",),
              "telegram": ("Telegram: {p}", "Escríbeme por Telegram {p}"),
              "kik": ("Kik: {p}",),
              "onlyfans": ("OF: {p}", "Mi OF {p}"),
              "cashapp": ("Anticipo por CashApp {p}", "CashApp: {p}"),
              "venmo": ("Anticipo por Venmo {p}",),
              "revolut": ("Anticipo por Revolut {p}", "Revolut {p}"),
              "crypto": ("Acepto cripto: {p}", "Pago en cripto {p}"),
          },
}
SIGNATURE = {
    "en": (
              (
                  "Treat yourself to", "Escape with", "Unwind with", "Discover", "Enjoy",
                  "Indulge in", "Relax with", "Experience", "Spoil yourself with", "Get lost in",
              ),
              (
                  "the warmest", "the sweetest", "the most relaxing", "a truly unforgettable",
                  "the softest", "a one of a kind", "the finest", "a very special", "the brightest",
              ),
              (
                  "smile", "company", "evening", "escape", "getaway", "experience", "date",
                  "moment", "vibe",
              ),
              (
                  "on the east side", "in the whole city", "this side of town", "downtown",
                  "uptown", "near the airport", "by the river", "off the highway", "in your hotel",
                  "after work",
              ),
          ),
    "es": (
              (
                  "Déjate consentir con", "Relájate con", "Descubre", "Disfruta de", "Vive",
                  "Regálate", "Escápate con", "Date el gusto de",
              ),
              (
                  "la sonrisa más", "la compañía más", "la cita más", "la experiencia más",
                  "la tarde más", "la noche más", "el rato más",
              ),
              ("dulce", "rica", "especial", "inolvidable", "tranquila", "divertida", "bonita"),
              (
                  "de la ciudad", "del centro", "de la zona norte", "cerca del aeropuerto",
                  "en tu hotel", "después del trabajo", "del barrio", "de la playa",
              ),
          ),
}
# Word swaps applied once per template to make a second variant of a sentence.
SYNONYMS = {
    "en": (
              ("gentlemen", "guys"),
              ("ready", "eager"),
              ("sweet", "lovely"),
              ("safe and", "clean and"),
              ("available", "ready"),
              ("no rush", "never rushed"),
              ("friendly", "easy going"),
              ("Call", "Ring"),
              ("girls", "ladies"),
              ("real", "genuine"),
              ("new", "brand new"),
              ("waiting", "here"),
              ("discreet", "discrete"),
              ("company", "companionship"),
              ("every week", "weekly"),
              ("Kisses", "Hugs and kisses"),
          ),
    "es": (
              ("caballeros", "señores"),
              ("lista", "preparada"),
              ("chica", "nena"),
              ("Besos", "Besitos"),
              ("disponible", "lista"),
              ("discreta", "reservada"),
              ("nuevas", "recién llegadas"),
              ("reales", "verdaderas"),
              ("ciudad", "zona"),
              ("Llama", "Marca"),
              ("muy", "súper"),
          ),
}
SITES = {
    "en": ("nightlist.example", "citylights.example", "companionboard.example",
           "afterdark.example"),
    "es": (
              "anuncios-relax.example", "contactos.example", "citas-adultos.example",
              "zonarelax.example",
          ),
}
HUB_NAMES = (
    "Contoso Suites", "Fabrikam Inn", "Northwind Lodge", "Tailspin Hotel", "Wingtip Suites",
    "Litware Agency", "Proseware Bookings", "Lucerne Companions",
)
# fmt: on
