package bot

import "testing"

func FuzzNomData(f *testing.F) {
	fuzzCodec(f, []nomData{{nomPick, 1, 2}, {nomPick, maxID, maxID}, {nomList, maxID, 0}, {nomWithdraw, maxID, maxID},
		{nomReplace, 3, 4}, {nomYes, maxID, 0}, {nomNo, 1, 0}},
		[]string{"nom", "nom:p", "nom:p:1", "nom:l:1:2", "nom:x:1", "nom:p:a:b", "nom:w:1:", "nom:y:-1", "rsvp:1:a"},
		parseNomData, nomData.encode)
}
