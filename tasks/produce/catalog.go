package produce

// The catalog the generator draws from. Entries are listed most popular
// first: the generator picks them with a Zipf distribution, so a few
// merchants and countries dominate as in real card data.

type merchant struct {
	name, category string
	// typical amount in major units; amounts spread around it.
	typical float64
}

var merchants = []merchant{
	{"Amazon", "online_retail", 45},
	{"Walmart", "groceries", 60},
	{"Starbucks", "restaurants", 7},
	{"Uber", "transport", 18},
	{"Netflix", "subscriptions", 15},
	{"Shell", "fuel", 55},
	{"Tesco", "groceries", 40},
	{"Carrefour", "groceries", 50},
	{"McDonald's", "restaurants", 11},
	{"Apple", "electronics", 180},
	{"Spotify", "subscriptions", 11},
	{"IKEA", "home", 120},
	{"Zara", "clothing", 70},
	{"Lidl", "groceries", 35},
	{"Booking.com", "travel", 260},
	{"Airbnb", "travel", 320},
	{"Lufthansa", "travel", 450},
	{"MediaMarkt", "electronics", 240},
	{"Decathlon", "sports", 65},
	{"H&M", "clothing", 45},
	{"Steam", "entertainment", 25},
	{"Deliveroo", "restaurants", 28},
	{"BP", "fuel", 60},
	{"Boots", "pharmacy", 22},
	{"CVS Pharmacy", "pharmacy", 24},
	{"Rakuten", "online_retail", 5000},
	{"7-Eleven", "groceries", 9},
	{"Alibaba", "online_retail", 300},
	{"Mercado Libre", "online_retail", 800},
	{"Cinema City", "entertainment", 30},
}

type country struct {
	code, currency string
	// scale converts a typical amount in USD-ish units to local units.
	scale float64
}

var countries = []country{
	{"US", "USD", 1},
	{"DE", "EUR", 0.95},
	{"GB", "GBP", 0.8},
	{"FR", "EUR", 0.95},
	{"ES", "EUR", 0.95},
	{"IT", "EUR", 0.95},
	{"NL", "EUR", 0.95},
	{"CA", "CAD", 1.35},
	{"JP", "JPY", 150},
	{"CH", "CHF", 0.9},
	{"PL", "PLN", 4},
	{"SE", "SEK", 10.5},
	{"AU", "AUD", 1.5},
	{"BR", "BRL", 5},
	{"IN", "INR", 83},
	{"MX", "MXN", 17},
	{"SG", "SGD", 1.35},
	{"ZA", "ZAR", 18},
}

// zeroDecimalCurrencies have no minor unit in practice; their amounts are
// whole numbers.
var zeroDecimalCurrencies = map[string]bool{"JPY": true}

var paymentMethods = []string{"card", "apple_pay", "google_pay", "bank_transfer", "paypal"}

// statusWeights are cumulative: most transactions are approved.
var statusWeights = []struct {
	status string
	upTo   float64
}{
	{"approved", 0.90}, {"declined", 0.95}, {"pending", 0.98}, {"refunded", 1},
}
