"""Where the bot stands in the desk's chats: present, with the rights it needs, followed."""
