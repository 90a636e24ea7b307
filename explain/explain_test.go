package explain

import (
	"testing"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
)

func TestDelivery(t *testing.T) {
	for _, c := range []struct {
		e    salesbyte.Endpoint
		d    importer.Delivery
		want string
	}{
		{salesbyte.Quote, importer.Delivery{SendType: "email", Notify: true}, "will be e-mailed to customers: send_type=email"},
		{salesbyte.Quote, importer.Delivery{SendType: "sms", Notify: true}, "will be texted (SMS) to customers: send_type=sms"},
		{salesbyte.Quote, importer.Delivery{SendType: "none"}, "will be created without sending anything to customers: send_type=none"},
		{salesbyte.Lead, importer.Delivery{SendType: "email", Silenced: true}, "will be created without notifying customers (send_type=email, trigger_created_messages_to_customer=false)"},
		{salesbyte.Template, importer.Delivery{Notify: true}, "will notify customers (trigger_created_messages_to_customer=true)"},
		{salesbyte.Template, importer.Delivery{Silenced: true}, "will be created without notifying customers"},
	} {
		if got := Delivery(c.e, c.d); got != c.want {
			t.Errorf("Delivery(%s, %+v) = %q; want %q", c.e, c.d, got, c.want)
		}
	}
}

func TestThousandsAndNouns(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 4812: "4,812", 1000000: "1,000,000", -4812: "-4,812"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q; want %q", n, got, want)
		}
	}
	if got := NounFor(salesbyte.Lead).For(1) + "/" + NounFor(salesbyte.Quote).For(2); got != "lead/quotes" {
		t.Errorf("nouns: %s", got)
	}
}
