import { Injectable } from "@flagon/core";

export interface Book {
  id: number;
  title: string;
  year: number;
  tags: string[];
}

/** The books, in memory: one instance per app. */
@Injectable()
export class BookStore {
  readonly #books = new Map<number, Book>([
    [1, { id: 1, title: "Dune", year: 1965, tags: ["sf"] }],
    [2, { id: 2, title: "Solaris", year: 1961, tags: ["sf", "classic"] }],
  ]);

  list(tags: readonly string[]): Book[] {
    const all = [...this.#books.values()];
    return tags.length === 0 ? all : all.filter((book) => tags.every((tag) => book.tags.includes(tag)));
  }

  find(id: number): Book | undefined {
    return this.#books.get(id);
  }

  add(input: Omit<Book, "id">): Book {
    const book = { id: this.#books.size + 1, ...input };
    this.#books.set(book.id, book);
    return book;
  }

  remove(id: number): boolean {
    return this.#books.delete(id);
  }
}
