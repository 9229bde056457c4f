# index_docs.awk - N JSONL documents of pseudo-words for the index tests,
# deterministic for a seed:  awk -v n=1500 -v seed=1 -v prefix=X -f index_docs.awk
# Each has about 100 words from a Zipf-like vocabulary, so documents share
# common words but no long runs.
BEGIN {
    srand(seed)
    split("ka lo mi ne ru ta po si de va gu be zo fi ha jo ku le mo ni pa re", syl, " ")
    for (i = 0; i < n; i++) {
        text = ""
        words = 80 + int(rand() * 40)
        for (j = 0; j < words; j++) {
            r = rand()
            v = r < 0.3 ? int(rand() * 30) : r < 0.7 ? int(rand() * 600) : int(rand() * 20000)
            w = ""
            do { w = w syl[v % 22 + 1]; v = int(v / 22) } while (v > 0)
            text = text (j ? (j % 15 == 0 ? ". " : " ") : "") w
        }
        printf "{\"id\":\"%s-%05d\",\"text\":\"%s.\"}\n", prefix, i, text
    }
}
