package storage_test

import (
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestConversationService(t *testing.T) {
	t.Run("SaveReplacesAndSurvivesReopen", func(t *testing.T) {
		db, c := MustOpenDB(t)
		cs := storage.NewConversationService(db)
		acc := mustAccount(t, db, "1", 0)
		if _, err := cs.FindConversation(ctx(), acc.ID); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("none yet: %v", err)
		}
		conv := &convene.Conversation{AccountID: acc.ID, Flow: "feedback", Step: "1", Data: map[string]string{"a.strengths": "Chuẩn bị chu đáo"}}
		if err := cs.SaveConversation(ctx(), conv); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Minute)
		conv.Step = "2"
		conv.Data["a.weaknesses"] = ""
		if err := cs.SaveConversation(ctx(), conv); err != nil || !conv.UpdatedAt.Equal(c.Now()) {
			t.Fatalf("save: %v %v", conv.UpdatedAt, err)
		}
		// A restart resumes the flow: read it through a new handle.
		other := storage.NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		got, err := storage.NewConversationService(other).FindConversation(ctx(), acc.ID)
		if err != nil || got.Flow != "feedback" || got.Step != "2" || got.Data["a.strengths"] != "Chuẩn bị chu đáo" || len(got.Data) != 2 || !got.UpdatedAt.Equal(c.Now()) {
			t.Fatalf("got %+v %v", got, err)
		}
	})

	t.Run("DeleteEndsTheFlow", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		cs := storage.NewConversationService(db)
		acc := mustAccount(t, db, "1", 0)
		if err := cs.DeleteConversation(ctx(), acc.ID); err != nil {
			t.Fatalf("deleting nothing: %v", err)
		}
		_ = cs.SaveConversation(ctx(), &convene.Conversation{AccountID: acc.ID, Flow: "decline"})
		if err := cs.DeleteConversation(ctx(), acc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.FindConversation(ctx(), acc.ID); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatal("not deleted")
		}
	})

	t.Run("NilDataReadsAsEmpty", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		cs := storage.NewConversationService(db)
		acc := mustAccount(t, db, "1", 0)
		_ = cs.SaveConversation(ctx(), &convene.Conversation{AccountID: acc.ID, Flow: "broadcast"})
		if got, err := cs.FindConversation(ctx(), acc.ID); err != nil || got.Data == nil {
			t.Fatalf("data %v %v", got, err)
		}
	})

	t.Run("InvalidRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		if err := storage.NewConversationService(db).SaveConversation(ctx(), &convene.Conversation{AccountID: 1}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatal("a conversation without flow was saved")
		}
	})
}
