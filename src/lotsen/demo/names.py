"""Name and street lists for synthetic demo data. Pure module: no Django.

The lists mix names that are common among young people in Sweden today, including names
common among Swedes of foreign background, so that the demo looks like a Swedish
municipality and so that search, sorting and transliteration meet the letters they will
meet in production (å, ä, ö, é, ć, š, ž). They are picked by hand, not taken from any
register, and every person made from them is fictional.
"""

from __future__ import annotations

GIVEN_NAMES_WOMEN: tuple[str, ...] = (
    "Alice", "Maja", "Elsa", "Wilma", "Ella", "Ebba", "Alva", "Olivia", "Astrid", "Saga",
    "Agnes", "Freja", "Vera", "Selma", "Alma", "Ellen", "Julia", "Moa", "Klara", "Stella",
    "Lilly", "Nova", "Tilde", "Linnea", "Emma", "Ida", "Hanna", "Elin", "Ronja", "Signe",
    "Thea", "Tyra", "Matilda", "Isabelle", "Felicia", "Lova", "Edith", "Greta", "Juni",
    "Siri", "Meja", "Nellie", "Emilia", "Amanda", "Elvira", "Märta", "Tindra", "Leia",
)

GIVEN_NAMES_MEN: tuple[str, ...] = (
    "William", "Liam", "Noah", "Hugo", "Lucas", "Oliver", "Elias", "Alexander", "Oscar",
    "Leo", "Viktor", "Filip", "Isak", "Theo", "Axel", "Ludvig", "Anton", "Emil", "Vincent",
    "Melvin", "Arvid", "Albin", "Elliot", "Love", "Nils", "Olle", "Sixten", "Edvin",
    "Gustav", "Jonathan", "Valter", "Malte", "Casper", "Wilhelm", "Josef", "Måns", "Ture",
    "Sigge", "Harry", "August", "Frans", "Linus", "Jakob", "Erik", "Carl", "Douglas",
)

GIVEN_NAMES_WOMEN_INTERNATIONAL: tuple[str, ...] = (
    "Amira", "Yasmin", "Fatima", "Sara", "Leyla", "Maryam", "Nour", "Hiba", "Aya", "Zeynep",
    "Sofia", "Amina", "Hawa", "Ayan", "Sama", "Noor", "Mina", "Daria", "Elif", "Lana",
    "Hanan", "Rahma", "Dilan", "Mariam", "Ilham", "Lejla", "Anja", "Natalia", "Zahra", "Nadia",
)

GIVEN_NAMES_MEN_INTERNATIONAL: tuple[str, ...] = (
    "Mohammed", "Ali", "Omar", "Yusuf", "Ibrahim", "Hassan", "Ahmed", "Mustafa", "Abdi",
    "Amir", "Karim", "Adam", "Daniel", "David", "Adrian", "Milan", "Luka", "Emir", "Sami",
    "Yasin", "Kerem", "Arman", "Dawit", "Hamza", "Idris", "Mahmoud", "Aras", "Nikola",
    "Samir", "Ilias",
)

# Names that many people carry whatever their gender; used for those who describe their
# gender as something else or do not state it, together with the other lists.
GIVEN_NAMES_ANY: tuple[str, ...] = (
    "Charlie", "Kim", "Robin", "Alex", "Sam", "Noa", "Eli", "Love", "Juno", "Vide", "Ariel",
    "Mika", "Luca", "Sasha", "Billie", "Nour",
)

FAMILY_NAMES: tuple[str, ...] = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren",
    "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
    "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk",
    "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson",
    "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
    "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Lundström", "Åberg", "Öberg",
    "Ekström", "Hedlund", "Strand", "Sundberg", "Falk",
)

FAMILY_NAMES_INTERNATIONAL: tuple[str, ...] = (
    "Ali", "Mohammed", "Ahmed", "Hassan", "Hussein", "Abdullahi", "Omar", "Yilmaz", "Kaya",
    "Nguyen", "Popović", "Hodžić", "Kovačević", "Haddad", "Khalil", "Rahimi", "Mahmoud",
    "Said", "Jovanović", "Nowak", "Kowalski", "Tesfaye", "Hosseini", "Demir", "Ibrahim",
    "Osman", "Farah", "Jama", "Karimi", "Petrović", "Aden", "Aziz", "Haile", "Rodriguez",
    "Silva", "Novak", "Mehmedović", "Salah", "Yousef", "Abdi",
)

# Parents of today's teenagers were mostly born 1965–1990, and their names are older.
GUARDIAN_NAMES_WOMEN: tuple[str, ...] = (
    "Anna", "Maria", "Sara", "Emma", "Karin", "Sofia", "Jenny", "Linda", "Johanna", "Malin",
    "Camilla", "Helena", "Jessica", "Therese", "Åsa", "Eva", "Lena", "Cecilia", "Fatima",
    "Amina", "Leila", "Nadia", "Zahra", "Samira", "Elena", "Mariam", "Hodan", "Jasmina",
)

GUARDIAN_NAMES_MEN: tuple[str, ...] = (
    "Johan", "Erik", "Anders", "Andreas", "Mikael", "Daniel", "Fredrik", "Peter", "Magnus",
    "Stefan", "Jonas", "Martin", "Niklas", "Patrik", "Mattias", "Henrik", "Per", "Mohamed",
    "Ahmed", "Ali", "Hassan", "Omar", "Khalid", "Goran", "Dragan", "Tomasz", "Reza", "Abdirahman",
)

STREET_NAMES: tuple[str, ...] = (
    "Storgatan", "Skolgatan", "Kyrkogatan", "Björkvägen", "Ekbacksvägen", "Tallåsvägen",
    "Granvägen", "Lingonstigen", "Blåbärsvägen", "Södra Långgatan", "Norra vägen",
    "Stationsgatan", "Parkvägen", "Ängsvägen", "Hagagatan", "Kvarngatan", "Smedjegatan",
    "Järnvägsgatan", "Sjövägen", "Rönnvägen", "Lärkvägen", "Vallgatan", "Torggatan",
    "Idrottsvägen", "Solrosvägen", "Kastanjegatan", "Bäckvägen", "Furuvägen", "Åkervägen",
    "Lönnstigen",
)
