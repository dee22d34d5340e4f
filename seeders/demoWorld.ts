/**
 * The demo world, as data: twelve accounts, who follows whom, what they wrote (with mentions
 * and hashtags), replied, retweeted and liked. Tweets are named `[author, n]`: the author's n-th post below.
 */

export const DEMO_PASSWORD = 'chirp-demo-password';

/** [username, display name, bio] */
export const DEMO_USERS = [
  ['ada', 'Ada Lovelace', 'Poet of numbers.'],
  ['grace', 'Grace Hopper', 'It is easier to ask forgiveness than permission.'],
  ['alan', 'Alan Turing', 'Can machines think?'],
  ['edsger', 'Edsger Dijkstra', 'Simplicity is prerequisite for reliability.'],
  ['barbara', 'Barbara Liskov', 'Substitutable since 1987.'],
  ['ken', 'Ken Thompson', 'When in doubt, use brute force.'],
  ['margaret', 'Margaret Hamilton', 'Software engineering, named.'],
  ['linus', 'Linus Torvalds', 'Talk is cheap.'],
  ['radia', 'Radia Perlman', 'Spanning trees.'],
  ['donald', 'Donald Knuth', 'Premature optimization...'],
  ['frances', 'Frances Allen', 'Compilers.'],
  ['tim', 'Tim Berners-Lee', 'This is for everyone.'],
] as const;

export type DemoName = (typeof DEMO_USERS)[number][0];

/** Everyone follows ada; each also follows the next, the one after and the fifth along. */
export function demoFollows(): [DemoName, DemoName][] {
  const names = DEMO_USERS.map(([name]) => name);
  const pairs: [DemoName, DemoName][] = [];
  names.forEach((follower, i) => {
    const followees = new Set([0, i + 1, i + 2, i + 5].map((j) => names[j % names.length]));
    followees.delete(follower);
    for (const followee of followees) pairs.push([follower, followee]);
  });
  return pairs;
}

/**
 * Each user's posts, in order. The third ones mention other demo users and share tags
 * (#computing, #history, #compilers and #opensource each have two authors), so mentions,
 * GET /hashtags/:tag/tweets and the trending tags have something to show.
 */
export const DEMO_POSTS: Record<DemoName, string[]> = {
  ada: [
    'The Analytical Engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves.',
    'Imagination is the discovering faculty, pre-eminently.',
    'Drafting my notes on the Engine with @alan and @grace reading over my shoulder. #computing #history',
  ],
  grace: [
    'Found the first actual bug today: a moth, in relay 70 of panel F.',
    'The most dangerous phrase in the language is "we have always done it this way".',
    'Teaching machines English, so that @margaret never has to read octal again. #compilers',
  ],
  alan: [
    'We can only see a short distance ahead, but we can see plenty there that needs to be done.',
    'Those who can imagine anything can create the impossible.',
    '@ada, a machine that can learn deserves a test, not a verdict. #Computing #AI',
  ],
  edsger: [
    'Testing shows the presence, not the absence of bugs.',
    'Simplicity is prerequisite for reliability.',
  ],
  barbara: [
    'Abstraction is the key to building programs that last.',
    'A subtype should be usable anywhere its supertype is expected.',
  ],
  ken: [
    'When in doubt, use brute force.',
    'One of my most productive days was throwing away 1,000 lines of code.',
  ],
  margaret: [
    'There was no choice but to be pioneers.',
    'Looking for errors in the software taught us how to prevent them.',
    'The priority displays held on Apollo 11. Thanks to the team, and to @grace for leading the way. #history',
  ],
  linus: [
    'Talk is cheap. Show me the code.',
    'Given enough eyeballs, all bugs are shallow.',
    'Release early, release often, and thank @ken for the tools. #OpenSource',
  ],
  radia: [
    'I think that I shall never see a graph more lovely than a tree.',
    'A protocol should be simple enough that it is obviously correct.',
    'Spanning trees keep loops out of the network, @tim, and out of your weekend. #networking',
  ],
  donald: [
    'Beware of bugs in the above code; I have only proved it correct, not tried it.',
    'Premature optimization is the root of all evil (or at least most of it).',
  ],
  frances: [
    'Compilers let programmers think about the problem, not the machine.',
    'Be an adventurer. Try something new.',
    'An optimizing compiler is the proof that @grace was right all along. #Compilers',
  ],
  tim: [
    'This is for everyone.',
    'The Web does not just connect machines, it connects people.',
    'Every page a link away from every other, free to all. #opensource #web',
  ],
};

/** [author, replied-to post, content] */
export const DEMO_REPLIES: [DemoName, [DemoName, number], string][] = [
  ['grace', ['ada', 0], 'And it still weaves, a century and a half later.'],
  ['alan', ['ada', 0], "Lady Lovelace's objection deserves a whole section of my paper."],
  ['edsger', ['grace', 0], 'A moth is a fine excuse. Most bugs are of our own making.'],
  ['donald', ['edsger', 0], 'Which is why I pay $2.56 for every error found in my books.'],
  ['linus', ['ken', 1], 'Deleting code is the best kind of commit.'],
  ['tim', ['radia', 0], 'And a web is just a graph that escaped.'],
  ['barbara', ['frances', 0], 'And abstraction lets them think about the problem at all.'],
  ['margaret', ['alan', 0], 'Plenty, indeed. Starting with the software.'],
];

/**
 * Replies to replies, so the demo world holds a thread: [author, replied-to reply, content],
 * the reply numbered across DEMO_REPLIES then this list (8 is this list's first entry). ada's
 * first post, alan's reply to it, and three more turns below that one.
 */
export const DEMO_THREAD: [DemoName, number, string][] = [
  ['ada', 1, 'My objection stands: the Engine originates nothing, it only does what we order.'],
  ['alan', 8, 'Then a machine that learns from its own mistakes would surprise you.'],
  ['ada', 9, 'Surprise me, then; but the learning was still ordered by someone.'],
  ['grace', 9, 'A compiler surprises me daily, and I ordered every line of it.'],
];

/**
 * [blocker, blocked] and [muter, muted]: one of each, so the safety features have something
 * to show. linus and tim follow neither way (a block ends follows; the next run would add
 * them back); grace follows alan, and muting him keeps the follow but hides his entries from
 * her home timeline and his notifications from her list.
 */
export const DEMO_BLOCKS: [DemoName, DemoName][] = [['linus', 'tim']];
export const DEMO_MUTES: [DemoName, DemoName][] = [['grace', 'alan']];

/** Where a demo bookmark points: a post `[author, n]`, or a reply by its number (see DEMO_THREAD). */
export type DemoTweetRef = [DemoName, number] | number;

/** [user, bookmarked tweet]: a few posts and thread replies each for half the accounts. */
export const DEMO_BOOKMARKS: [DemoName, DemoTweetRef][] = [
  ['ada', ['edsger', 0]],
  ['ada', ['donald', 0]],
  ['ada', 9],
  ['grace', ['ada', 0]],
  ['grace', ['radia', 1]],
  ['alan', 10],
  ['alan', ['barbara', 1]],
  ['edsger', ['donald', 1]],
  ['ken', ['linus', 1]],
  ['tim', ['ada', 1]],
  ['tim', 5],
];

/** [retweeter, retweeted post] */
export const DEMO_RETWEETS: [DemoName, [DemoName, number]][] = [
  ['grace', ['ada', 1]],
  ['ken', ['linus', 0]],
  ['alan', ['edsger', 0]],
  ['radia', ['tim', 0]],
  ['frances', ['barbara', 0]],
  ['donald', ['ada', 0]],
  ['margaret', ['grace', 1]],
  ['tim', ['alan', 0]],
];

/** Every user likes the first post of each account they follow. */
export function demoLikes(): [DemoName, [DemoName, number]][] {
  return demoFollows().map(([user, author]) => [user, [author, 0]]);
}
