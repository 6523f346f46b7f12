/** A binary heap; `before(a, b)` is true when `a` must come out first. */
export class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const child = a[i] as T;
      if (!this.before(child, a[p] as T)) break;
      // A swap by destructuring (`[x, y] = [y, x]`) makes an array per step (some 20 MB of garbage in a walk of 50,000 commits).
      a[i] = a[p] as T;
      a[p] = child;
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l] as T, a[m] as T)) m = l;
        if (r < a.length && this.before(a[r] as T, a[m] as T)) m = r;
        if (m === i) break;
        const moved = a[i] as T;
        a[i] = a[m] as T;
        a[m] = moved;
        i = m;
      }
    }
    return top;
  }
}
