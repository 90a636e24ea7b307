package sandbox_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/sbimport/sbimport/sandbox"
)

func Example() {
	s, err := sandbox.New(sandbox.Options{UUIDs: []string{"test-uuid"}, PlainTemplate: true})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	body := `{"uuid":"test-uuid","quote_template_id":7,"customer_name":"Anna Andersson",
	  "customer_email":"anna@example.se","trigger_created_messages_to_customer":false}`
	resp, err := http.Post(base+"/integrations/create_quote/template", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, s.CountByCustomer(), s.Stats().Created)
	// Output: 200 map[anna@example.se:1] 1
}
