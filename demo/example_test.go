package demo_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/headroom-sre/headroom/demo"
)

// The system's components are handlers: serve them, tell app where money
// is, and ask for a portfolio valuation. The same portfolio always holds
// the same positions, and every amount is exact.
func Example() {
	cfg := demo.DefaultConfig()
	cfg.App.IOWait = 0 // answer at once, for the example
	sys := demo.NewSystem(cfg)
	defer sys.Close()
	money := httptest.NewServer(sys.Money())
	defer money.Close()
	if err := sys.SetMoneyURL(money.URL); err != nil {
		fmt.Println(err)
		return
	}
	app := httptest.NewServer(sys.App())
	defer app.Close()

	fmt.Printf("money serves at most %.0f req/s, the customer mix %.0f req/s\n", cfg.Money.Capacity(), cfg.Capacity())
	for _, url := range []string{
		money.URL + "/value?portfolio=42&positions=3&currency=JPY&lines=true",
		app.URL + "/api/portfolio?portfolio=42",
	} {
		resp, err := http.Get(url)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(resp.Status, " ", string(body))
	}
	// Output:
	// money serves at most 400 req/s, the customer mix 667 req/s
	// 200 OK {"portfolio":42,"currency":"JPY","positions":3,"total":"39774663","lines":[{"currency":"USD","quantity":"524.9712","price":"391.0140","fx":"149.25373134","value":"30637476"},{"currency":"JPY","quantity":"-372.3584","price":"162.5828","fx":"1.00000000","value":"-60539"},{"currency":"GBP","quantity":"285.0301","price":"170.2397","fx":"189.55223881","value":"9197726"}]}
	// 200 OK {"page":"portfolio","portfolio":42,"currency":"EUR","positions":2000,"total":"491280524.53"}
}
