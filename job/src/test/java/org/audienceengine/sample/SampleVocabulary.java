package org.audienceengine.sample;

/** What the sample's users are made of: names, places, products, and how often each intent comes up. */
final class SampleVocabulary {
    private SampleVocabulary() {}

    static final String[] CITIES = {
        "Seattle|US|47.6062|-122.3321|10", "Bellevue|US|47.6101|-122.2015|3", "New York|US|40.7128|-74.006|9",
        "Austin|US|30.2672|-97.7431|5", "Chicago|US|41.8781|-87.6298|5", "Toronto|CA|43.6532|-79.3832|5",
        "Vancouver|CA|49.2827|-123.1207|3", "London|GB|51.5072|-0.1276|8", "Manchester|GB|53.4808|-2.2426|3",
        "Berlin|DE|52.52|13.405|6", "Munich|DE|48.1351|11.582|3", "Paris|FR|48.8566|2.3522|6", "Lyon|FR|45.764|4.8357|2",
        "Madrid|ES|40.4168|-3.7038|4", "Amsterdam|NL|52.3676|4.9041|3", "Milan|IT|45.4642|9.19|3",
        "Dublin|IE|53.3498|-6.2603|2", "Sydney|AU|-33.8688|151.2093|3", "Sao Paulo|BR|-23.5505|-46.6333|2",
        "Tokyo|JP|35.6762|139.6503|3"};
    static final String EU = "DE FR ES NL IT IE GB";
    static final String[] FIRST = words(
            "anna ben carla david elif farid grace hugo ines jonas kai lena mateo nora omar priya quinn rosa sven yuki");
    static final String[] LAST = words("lee garcia smith muller rossi martin nguyen kowalski silva tanaka brown dubois");
    static final String[] DOMAINS = words("example.com example.org mail.example.net");
    static final String[] INTERESTS = words(
            "running hiking cycling yoga camping climbing swimming skiing fishing photography");
    static final String[] BRANDS = {"Northpeak", "Summit & North", "Riverstone", "Aerolite", "Trailhead Co"};
    static final String[] SOURCES = words(
            "ios_app_store google_play web_organic web_paid_search web_paid_social app_paid_social referral");
    static final int[] SOURCE_WEIGHT = {20, 20, 25, 12, 10, 6, 7};
    static final String[] QUERIES = {
        "trail shoes", "winter sale", "tent", "rain jacket", "boots sale", "yoga mat", "headlamp", "sale", "merino", "gps watch"};
    // sku|name|category|price, cheapest first: items() favours the start of the list
    static final String[] PRODUCTS = {
        "SKU-3003|Running Socks 3-pack|apparel|18.00", "SKU-5002|Water Bottle 1L|accessories|22.00",
        "SKU-5003|Energy Gel 12-pack|nutrition|24.00", "SKU-2004|Headlamp 400|outdoor|34.00",
        "SKU-5001|Yoga Mat|accessories|39.00", "SKU-2003|Trekking Poles|outdoor|59.00",
        "SKU-3002|Merino Base Layer|apparel|79.00", "SKU-1002|Road Glide|footwear|99.00",
        "SKU-1001|Trail Runner 3|footwear|129.00", "SKU-1003|Alpine Hiking Boot|footwear|189.00",
        "SKU-2002|Down Sleeping Bag|outdoor|219.00", "SKU-3001|Storm Shell Jacket|apparel|229.00",
        "SKU-2001|Ridge 2P Tent|outdoor|299.00", "SKU-4001|GPS Sport Watch|electronics|349.00"};
    static final int BROWSE = 0, SEARCH = 1, SHOP = 2, VIDEO = 3, ARTICLE = 4, STORE = 5, PRICING = 6;
    static final int[] INTENT_WEIGHT = {28, 14, 26, 12, 8, 5, 5, 2}; // the last one: preferences

    static String[] words(String text) {
        return text.split(" ");
    }
}
