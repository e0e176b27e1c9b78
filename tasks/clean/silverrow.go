package clean

import (
	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/record"
)

// silverRows builds Silver rows. The values that repeat across a batch are
// boxed once: the ones the judge's record.Decoder shares come boxed with
// it (record.Boxes), and the timestamps by lake.TimeBox.
type silverRows struct {
	cells          *lake.Cells
	ingested, date lake.TimeBox
}

func newSilverRows(n int) silverRows {
	return silverRows{cells: lake.NewCells(lake.SilverEventDate+1, n)}
}

// row is the Silver row of an accepted transaction read from src, with the
// boxes the Decoder gave for it.
func (s *silverRows) row(t *record.Transaction, boxes *record.Boxes, src bronzeRecord) delta.Row {
	r := s.cells.Row()
	r[lake.SilverTransactionID] = t.TransactionID
	r[lake.SilverUserID] = boxed(boxes.UserID, t.UserID)
	r[lake.SilverAmount] = t.Amount
	r[lake.SilverCurrency] = boxed(boxes.Currency, t.Currency)
	r[lake.SilverMerchant] = optional(boxes.Merchant, t.Merchant)
	r[lake.SilverCategory] = optional(boxes.Category, t.Category)
	r[lake.SilverCountry] = optional(boxes.Country, t.Country)
	r[lake.SilverPaymentMethod] = optional(boxes.PaymentMethod, t.PaymentMethod)
	r[lake.SilverStatus] = boxed(boxes.Status, t.Status)
	r[lake.SilverEventTime] = t.EventTime
	r[lake.SilverKafkaPartition] = src.partition
	r[lake.SilverKafkaOffset] = src.offset
	r[lake.SilverIngestedAt] = s.ingested.Box(src.ingestedAt)
	r[lake.SilverEventDate] = s.date.Box(lake.Date(t.EventTime))
	return r
}

// boxed is v as an interface: box when the Decoder shared it, else newly
// boxed.
func boxed(box any, v string) any {
	if box != nil {
		return box
	}
	return v
}

// optional stores an absent optional attribute as null.
func optional(box any, v string) any {
	if v == "" {
		return nil
	}
	return boxed(box, v)
}
