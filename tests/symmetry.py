"""symmetry.py REPRINT - compare(A, B) must be the mirror of compare(B, A).

Runs `reprint compare` in both orders on the bundled example pairs and, when
../shared/data is present, on 346 real pairs (random BBC pairs, neighbouring
articles of five categories, every Clough-Stevenson answer with its source,
the seed pair), and checks that scores, passages and their similarities are
the same with the sides swapped. Prints "ok symmetry (...)" or a FAIL line
per pair that is not mirrored, and exits 1 then."""
import json, subprocess, sys, glob, random, os
R = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
def cmp(a,b):
    return json.loads(subprocess.run([R,'compare','--lossy','-f','json',a,b],capture_output=True,check=True).stdout)
def mirror_ok(x,y):
    if abs(x['containment_a']-y['containment_b'])>1e-9 or abs(x['containment_b']-y['containment_a'])>1e-9: return False
    if x['jaccard']!=y['jaccard'] or x['similarity']!=y['similarity']: return False
    px=sorted((p['a_start'],p['a_end'],p['b_start'],p['b_end'],p['tokens'],p['similarity']) for p in x['passages'])
    py=sorted((p['b_start'],p['b_end'],p['a_start'],p['a_end'],p['tokens'],p['similarity']) for p in y['passages'])
    return px==py
pairs=[(ROOT+'/examples/wire.txt',ROOT+'/examples/article.txt'),(ROOT+'/tests/data/html_a.txt',ROOT+'/tests/data/html_b.txt')]
D=os.path.join(os.path.dirname(ROOT),'shared','data')
have=os.path.isdir(D)
random.seed(1)
bbc=sorted(glob.glob(D+'/bbc-news/bbc/*/*.txt'))
for i in range(150 if len(bbc)>1 else 0):
    a,b=random.sample(bbc,2); pairs.append((a,b))
for c in [d for d in sorted(glob.glob(D+'/bbc-news/bbc/*')) if os.path.isdir(d)][:5]:
    fs=sorted(glob.glob(c+'/*.txt'))
    for i in range(0,min(40,len(fs)-1),2): pairs.append((fs[i],fs[i+1]))
cl=sorted(glob.glob(D+'/clough-stevenson/**/*.txt',recursive=True))
src=[f for f in cl if 'orig' in os.path.basename(f)]
ans=[f for f in cl if 'orig' not in os.path.basename(f)]
for f in ans:
    t=os.path.basename(f).split('_')[-1].replace('.txt','')
    s=[x for x in src if x.endswith(t+'.txt')]
    if s: pairs.append((f,s[0]))
sd=sorted(glob.glob(D+'/seeds/*.txt'))
if len(sd)>=2: pairs.append((sd[0],sd[1]))
bad=0;withp=0
for a,b in pairs:
    x,y=cmp(a,b),cmp(b,a)
    withp+= bool(x['passages'])
    if not mirror_ok(x,y): bad+=1; print('FAIL symmetry:',a,b)
note='' if have else ', ../shared/data absent: bundled pairs only'
if bad:
    print(f'FAIL symmetry: {bad} of {len(pairs)} pairs not mirrored'); sys.exit(1)
print(f'ok symmetry ({len(pairs)} pairs in both orders, {withp} with passages{note})')
