"""Counts of an annotation file: sentences, events per category and modality, split sizes.

Usage: python stats_A.py FILE.jsonl [...]
"""
import json, collections, sys
for f in sys.argv[1:]:
    r=[json.loads(l) for l in open(f)]
    ev=[e for x in r for e in x['events']]
    print(f.split('/')[-1], 'sentences', len(r), 'with_events', sum(bool(x['events']) for x in r), 'no_events', sum(not x['events'] for x in r), 'events', len(ev), 'historical', sum(e.get('historical',False) for e in ev))
    print(' split sentences', dict(collections.Counter(x['split'] for x in r)), 'test docs', len({x['doc'] for x in r if x['split']=='test'}), 'train docs', len({x['doc'] for x in r if x['split']=='train'}), 'test events', sum(len(x['events']) for x in r if x['split']=='test'))
    print(' modality', dict(collections.Counter(e['modality'] for e in ev).most_common()))
    print(' category', dict(collections.Counter(e['category'] for e in ev).most_common()))
